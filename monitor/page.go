package monitor

import (
	"slices"
	"strings"
)

// Page is what a report or the live view says besides the recordings. The
// zero value is a plain page.
type Page struct {
	Title string   // "framesched monitor" when empty
	About []string // paragraphs the report opens with, on what ran
	// Owner is the page's word for an owner, such as "addon"; "owner" when
	// empty.
	Owner string
	// Owners are owners in the order to list them, each with a line on what
	// it does; the owners the recordings saw that are not listed follow,
	// in the order first seen.
	Owners []Owner
}

// Owner is an owner of tasks, as a page lists it.
type Owner struct {
	Name  string
	About string // what it does; "" for nothing to say
}

func (p Page) title() string {
	if p.Title == "" {
		return "framesched monitor"
	}
	return p.Title
}

func (p Page) owner() string {
	if p.Owner == "" {
		return "owner"
	}
	return p.Owner
}

// ownerOrder is the owners to list: p.Owners, then those the runs saw, in
// the order first seen.
func (p Page) ownerOrder(runs []*Monitor) []string {
	var names []string
	for _, o := range p.Owners {
		names = append(names, o.Name)
	}
	for _, m := range runs {
		for _, name := range m.Owners() {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// capital is s with its first letter upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

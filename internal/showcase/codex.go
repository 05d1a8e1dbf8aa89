package showcase

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/framesched/framesched/sched"
)

// Codex, in Go, parses the game's item database when the addon loads and
// again on every change of zone: a large generated file, parsed a line at a
// time, breathing every few lines. One line holds the icon atlas, a single
// value of 160 kB that takes longer than the watchdog allows to decode; a
// Go task cannot be interrupted, so the watchdog only warns.
const (
	codexItems  = 6000
	codexIcons  = 160_000              // bytes in the icon line
	codexLine   = 5 * time.Microsecond // simulated CPU per line...
	codexByte   = 80 * time.Nanosecond // ...and per byte of it
	codexChunk  = 16                   // lines between Breath checkpoints
	codexRarity = "common uncommon rare epic legendary"
)

type codex struct {
	w    *world
	data []byte
	job  *sched.Task
}

func loadCodex(w *world, data []byte) {
	c := &codex{w: w, data: data}
	parse := func(ev event) { w.s.RunAs("Codex", func() { c.start(ev.name) }) }
	w.on("ADDON_LOADED", parse)
	w.on("ZONE_CHANGED", parse)
}

// start parses the database, for the event named why, stopping the parse
// that an earlier event started.
func (c *codex) start(why string) {
	if c.job != nil && !c.job.Finished() {
		c.job.Stop("zone changed")
	}
	job, err := c.w.s.Go("Codex", "parse", c.parse(why))
	if err != nil {
		c.w.s.ReportError("Codex", why, err)
		return
	}
	c.job = job
}

// item is one record of the database.
type item struct {
	id, level, price int
	name, rarity     string
}

func (c *codex) parse(why string) sched.Body {
	return func(t *sched.Self) (any, error) {
		var items []item
		sc := bufio.NewScanner(bytes.NewReader(c.data))
		sc.Buffer(nil, 1<<20)
		lines := 0
		for sc.Scan() {
			line := sc.Bytes()
			lines++
			key, value, _ := bytes.Cut(line, []byte(" = "))
			switch {
			case bytes.HasPrefix(line, []byte("[item ")):
				id, _ := strconv.Atoi(string(bytes.TrimSuffix(line[len("[item "):], []byte("]"))))
				items = append(items, item{id: id})
			case len(items) == 0:
			default:
				it := &items[len(items)-1]
				switch string(key) {
				case "name":
					it.name = string(value)
				case "level":
					it.level, _ = strconv.Atoi(string(value))
				case "price":
					it.price, _ = strconv.Atoi(string(value))
				case "rarity":
					it.rarity = string(value)
				}
			}
			c.w.work(codexLine + time.Duration(len(line))*codexByte)
			if lines%codexChunk == 0 {
				t.Breath()
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		c.w.print("Codex", t.Name(), "parsed %d items (%d lines) on %s", len(items), lines, why)
		return len(items), nil
	}
}

// itemDatabase generates the item database Codex parses: the same bytes on
// every run.
func itemDatabase() []byte {
	var b bytes.Buffer
	b.WriteString("# Codex item database\n")
	rarities := strings.Fields(codexRarity)
	for i := 1; i <= codexItems; i++ {
		fmt.Fprintf(&b, "[item %d]\nname = %s of the %s\nlevel = %d\nprice = %d\nrarity = %s\n",
			i, chatWords[i%len(chatWords)], chatWords[i*7%len(chatWords)], 1+i*31%60, i*7919%100000,
			rarities[i*i%len(rarities)])
		if i == codexItems/2 {
			b.WriteString("icons = ")
			for j := range codexIcons {
				b.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(j*j+j/3)%64])
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

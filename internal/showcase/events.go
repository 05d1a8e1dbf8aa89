package showcase

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// event is something that happens in the game at a moment of simulated
// time; it reaches the addons at the start of the first frame after it.
type event struct {
	at   time.Duration
	name string
	n    int    // the event's number: items in the bags, listings, a map seed...
	text string // a chat message's text
}

// The game's events: what asks the addons for work. Every kind happens
// within the first three seconds, so that a short run shows them all.
var periodic = []struct {
	name          string
	first, period time.Duration
	n             func(k int) int // the k-th event's number, from 0; nil for none
}{
	{"ADDON_LOADED", 0, 0, nil},
	{"BAG_UPDATE", time.Second, 2 * time.Second, func(k int) int { return 5000 + 100*k }},
	{"QUEST_UPDATE", 1500 * time.Millisecond, 4 * time.Second, func(k int) int { return 90 + 6*k }},
	{"MAP_CLICK", 2 * time.Second, 3 * time.Second, func(k int) int { return k }},
	{"AUCTION_HOUSE_SHOW", 2500 * time.Millisecond, 7 * time.Second, func(k int) int { return 40000 + 5000*k }},
	{"ZONE_CHANGED", 9 * time.Second, 9 * time.Second, nil},
}

// chatRate is the average number of chat messages a second; they come in
// bursts.
const chatRate = 40

var chatWords = strings.Fields(`lfg raid tonight need healer tank dps wts wtb gold
	cheap boss loot drop anyone quest help group invite guild port summon please
	thanks lol gg wp ready pull wipe again mount rare epic`)

// schedule is the game's events over d of simulated time, the same for a
// given seed.
func schedule(d time.Duration, seed uint64) []event {
	var evs []event
	for _, p := range periodic {
		for k, at := 0, p.first; at < d; k, at = k+1, at+p.period {
			ev := event{at: at, name: p.name}
			if p.n != nil {
				ev.n = p.n(k)
			}
			evs = append(evs, ev)
			if p.period == 0 {
				break
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for at := time.Duration(0); ; {
		// Bursts: the gap to the next message is exponential, with a mean
		// that changes every half second.
		burst := 1 + 3*math.Abs(math.Sin(float64(at/(500*time.Millisecond))))
		at += time.Duration(rng.ExpFloat64() / (chatRate * burst / 2.5) * float64(time.Second))
		if at >= d {
			break
		}
		words := make([]string, 2+rng.IntN(10))
		for i := range words {
			words[i] = chatWords[rng.IntN(len(chatWords))]
		}
		evs = append(evs, event{at: at, name: "CHAT_MSG", n: 1 + rng.IntN(4), text: strings.Join(words, " ")})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	return evs
}

package replay_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/framesched/framesched/internal/replay"
	"github.com/framesched/framesched/internal/vclock"
)

// A run reads its clock through a Recorder, marking each frame's start; a
// replay of it reads the same times from a Player.
func Example() {
	real := vclock.New(time.Unix(1700000000, 0)) // stands for the real clock here
	var file bytes.Buffer
	rec, _ := replay.NewRecorder(&file, real, []string{"--budget=4ms", "addon.lua sha256:..."})
	start := rec.Now()
	for range 2 {
		rec.Mark() // a frame starts
		real.Add(30 * time.Millisecond)
		fmt.Println("recorded:", rec.Since(start))
	}
	rec.Close()

	recording, _ := replay.Read(&file)
	if err := recording.Check([]string{"--budget=4ms", "addon.lua sha256:..."}); err != nil {
		fmt.Println(err)
		return
	}
	p := replay.NewPlayer(recording, real)
	start = p.Now()
	for range 2 {
		p.Mark()
		fmt.Println("replayed:", p.Since(start))
	}
	fmt.Println("diverged:", p.End())
	// Output:
	// recorded: 30ms
	// recorded: 60ms
	// replayed: 30ms
	// replayed: 60ms
	// diverged: <nil>
}

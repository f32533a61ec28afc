//go:build race

package fashion

// raceDetector is true in binaries built with -race: see goUnbounded.
const raceDetector = true

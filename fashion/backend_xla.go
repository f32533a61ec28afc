package fashion

import "fmt"

// installedXLAPlugin reports an installed PJRT plugin ("cuda" or "cpu") and
// where it was found, without downloading anything.
func installedXLAPlugin() (plugin, where string) { return "", "" }

// checkXLA returns a clear error when the XLA backend cannot start.
func checkXLA(plugin string) error {
	return fmt.Errorf("fashion: backend \"xla:%s\": no PJRT plugin installed", plugin)
}

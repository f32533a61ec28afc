package fashion
import (
 _ "github.com/gomlx/gomlx/backends"
 _ "github.com/janpfeifer/gonb/gonbui"
)

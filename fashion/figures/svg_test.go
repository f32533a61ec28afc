package figures

import (
	"testing"

	"github.com/fashion-gomlx/fashion-gomlx/internal/svgtest"
)

type svgDoc = svgtest.Doc

func parseSVG(t *testing.T, b []byte) *svgDoc { return svgtest.Parse(t, b) }

// nastyTitle has every character XML escaping must handle.
const nastyTitle = `a<b & "c" 'd' >e`

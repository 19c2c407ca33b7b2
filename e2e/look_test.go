package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

var (
	axeOnce   sync.Once
	axeScript string
	axeErr    error
)

// axeSource returns axe-core, installed from npm by the test command (e2e/package.json).
func axeSource(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
		axeScript = string(b)
	})
	if axeErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is required under CI=true (npm ci --prefix e2e): %v", axeErr)
		}
		t.Skipf("axe-core not installed: %v", axeErr)
	}
	return axeScript
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkPage runs axe-core on the page the browser shows and fails the test on any serious or
// critical violation. With KABINET_SCREENSHOTS=DIR it also saves the page as PNG at 1280 and at
// 375 px wide and as printed, named after name, to be looked at.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx) {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target))
			}
			t.Errorf("%s: axe %s (%s): %s at %s", name, v.ID, v.Impact, v.Help, strings.Join(where, ", "))
		}
	}
	if dir := os.Getenv("KABINET_SCREENSHOTS"); dir != "" {
		screenshots(t, ctx, dir, name)
	}
}

// fits checks that the page needs no horizontal scroll on a 375 px phone and that printed (A4,
// 794 px at 96 dpi) it fits the width of the paper.
func fits(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	width := func() (int, int) {
		w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if err != nil || len(w) != 2 {
			t.Fatalf("%s: width: %v", name, err)
		}
		return w[0], w[1]
	}
	run(t, ctx, chromedp.EmulateViewport(375, 800))
	if sw, iw := width(); sw > iw {
		t.Errorf("%s: %d px wide on a %d px phone", name, sw, iw)
	}
	run(t, ctx, chromedp.EmulateViewport(794, 1123))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if sw, iw := width(); sw > iw {
		t.Errorf("%s: printed %d px wide on a %d px page", name, sw, iw)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 1000))
}

// axeViolations runs axe-core on the page the browser shows.
func axeViolations(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	src := axeSource(t)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		t.Fatalf("load axe: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	return vs
}

func screenshots(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	shot := func(suffix string) {
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		os.WriteFile(filepath.Join(dir, name+suffix+".png"), b, 0o644)
	}
	shot("")
	run(t, ctx, chromedp.EmulateViewport(375, 800))
	shot("-375")
	run(t, ctx, chromedp.EmulateViewport(1280, 1000))
	media := func(m string) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatal(err)
		}
	}
	media("print")
	shot("-print")
	media("")
}

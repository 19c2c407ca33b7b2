package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The back office by keyboard alone: from the dashboard to the search, a search, its result,
// and a deregistration with its confirmation, each step by key events only (Tab, arrows, typing,
// Enter); the focus order reaches each control, the skip link first, and the action completes.
func TestKeyboardOnly(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	target := register1(t, a, personIn("Громова", "Вера", "111111"))
	other := register1(t, a, personIn("Громова", "Анна", "222222"))
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")
	visit(t, ctx, a.url+"/office/", "h1")

	// The first Tab stop is the link that skips to the content; the search is in the menu.
	path := tabTo(t, ctx, `a[href="/office/search"]`, 10)
	if !strings.HasPrefix(path[0], "a[#main]") {
		t.Errorf("the first Tab stop is %q, want the skip link", path[0])
	}
	pressAndLoad(t, ctx, kb.Enter)
	if p := attr(t, ctx, `location.pathname`); p != "/office/search" {
		t.Fatalf("Enter on the menu's search link led to %s", p)
	}

	// A search: Tab to the field, type, Enter; Tab to the result, Enter.
	tabTo(t, ctx, "#q", 20)
	press(t, ctx, "громова вера")
	pressAndLoad(t, ctx, kb.Enter)
	if got := resultTINs(t, ctx); len(got) != 1 || got[0] != target {
		t.Fatalf("the search by keyboard found %v, want %s (not %s)", got, target, other)
	}
	if v := value(t, ctx, "q"); v != "громова вера" {
		t.Fatalf("typed %q", v)
	}
	tabTo(t, ctx, `#results a[href="/office/taxpayers/`+target+`"]`, 30)
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, "#tin", target)

	// Deregistration: Tab to the reason, choose it with the arrows, Tab to the date and type it,
	// Tab to the button, Enter; on the confirmation, Tab to "Confirm", Enter.
	tabTo(t, ctx, "#reason", 40)
	if v := value(t, ctx, "reason"); v != "" {
		t.Fatalf("a reason chosen before the keyboard did: %q", v)
	}
	press(t, ctx, kb.ArrowDown, kb.ArrowDown)
	if v := value(t, ctx, "reason"); v != string(register.EndDeath) {
		t.Fatalf("two presses of ↓ chose %q, want death", v)
	}
	if p := tabTo(t, ctx, "#on", 1); len(p) != 1 {
		t.Fatalf("the date is not next after the reason: %v", p)
	}
	// Today, typed into the date field's segments; their order is the browser's locale's, so
	// when one order gives another date, Shift+Tab goes back to the first segment for the next.
	today := time.Now()
	parts := map[rune]string{'d': today.Format("02"), 'm': today.Format("01"), 'y': today.Format("2006")}
	for i, order := range []string{"mdy", "dmy", "ymd"} {
		typed := ""
		for _, p := range order {
			typed += parts[p]
		}
		press(t, ctx, typed)
		if value(t, ctx, "on") == today.Format(time.DateOnly) {
			break
		}
		if i == 2 {
			t.Fatalf("the date typed: %q", value(t, ctx, "on"))
		}
		for range 2 {
			run(t, ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
		}
	}
	if f := focused(t, ctx); f != "on" {
		t.Fatalf("the focus left the date for %q", f)
	}
	tabTo(t, ctx, "#deregister", 3)
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, "h1", "Подтвердите снятие с учёта")
	has(t, ctx, ".warning", "ИНН перестанет применяться навсегда")
	has(t, ctx, ".confirm", today.Format("02.01.2006"))
	path = tabTo(t, ctx, "#confirm", 20)
	if strings.Contains(strings.Join(path, " "), "cancel") {
		t.Errorf("the focus reaches «Cancel» before «Confirm»: %v", path)
	}
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, "#status", "не подлежит применению")
	has(t, ctx, "#status", "смерть, "+today.Format("02.01.2006"))
	if tp, err := a.reg.Taxpayer(context.Background(), target); err != nil || tp.Status != register.StatusNotApplied {
		t.Fatalf("after the keyboard's deregistration: %+v %v", tp, err)
	}
	checkPage(t, ctx, "keyboard-deregistered-ru")
	noCodes(t, ctx, "keyboard-deregistered-ru")
}

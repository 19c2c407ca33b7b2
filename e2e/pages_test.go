package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// Every page of the back office, in Russian and English, on demo data: no serious or critical
// accessibility violation (axe-core), no console error (the content security policy holds), and
// the login works by keyboard alone.
func TestEveryBackOfficePage(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db)
	if err := demo.Seed(context.Background(), a.reg, 30); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	// The login by keyboard alone: the login field has the focus, Tab moves to the password,
	// Enter submits.
	run(t, ctx, chromedp.Navigate(a.url+"/office/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	checkPage(t, ctx, "login-ru")
	// The password left empty: named next to its field, which gets the focus; the login kept.
	run(t, ctx, chromedp.SendKeys(chromedp.CSS("#login"), "ivanova"), submit("#submit"))
	if e, f := text(t, ctx, "#password-error"), focused(t, ctx); e != "Поле «Пароль» обязательно" || f != "password" || value(t, ctx, "login") != "ivanova" {
		t.Fatalf("the password left empty: %q, focus on %q", e, f)
	}
	checkPage(t, ctx, "login-empty-ru")
	// The screenshots (KABINET_SCREENSHOTS) take the focus from the field: the page afresh.
	run(t, ctx, chromedp.Navigate(a.url+"/office/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	run(t, ctx, chromedp.KeyEvent("ivanova"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("inspector-password"))
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(document.body.dataset.stale = "1") === "1"`)(ctx, tg)
		return err
	}), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#logout")))
	if h := text(t, ctx, "h1"); h != "Реестр налогоплательщиков" {
		t.Fatalf("keyboard login: %q", h)
	}
	list, err := a.reg.Search(context.Background(), register.SearchFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"dashboard": "/office/", "search": "/office/search?q=ООО", "reviews": "/office/reviews", "audit": "/office/audit",
		"person-new": "/office/persons/new", "org-new": "/office/organizations/new", "foreign-new": "/office/foreign/new"}
	for _, s := range list {
		name := "taxpayer-" + string(s.Kind) + "-" + string(s.Status)
		if _, seen := pages[name]; !seen {
			pages[name] = "/office/taxpayers/" + s.TIN
			pages["extract-"+string(s.Kind)] = "/office/taxpayers/" + s.TIN + "/extract"
		}
	}
	for _, lang := range []string{"ru", "en"} {
		run(t, ctx, chromedp.Navigate(a.url+"/office/lang?lang="+lang+"&back=/office/"), chromedp.WaitVisible(chromedp.CSS("h1")))
		for name, p := range pages {
			run(t, ctx, chromedp.Navigate(a.url+p), chromedp.WaitVisible(chromedp.CSS("h1")))
			if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Errorf("%s: page language %q, want %q", name, got, lang)
			}
			checkPage(t, ctx, name+"-"+lang)
			fits(t, ctx, name+"-"+lang)
		}
	}
	// A form with errors: every wrong field marked, the first error announced.
	run(t, ctx, chromedp.Navigate(a.url+"/office/lang?lang=ru&back=/office/persons/new"), chromedp.WaitVisible(chromedp.CSS("#surname")),
		chromedp.SetValue(chromedp.CSS("#surname"), "Smith"), submit("#submit"))
	if p := text(t, ctx, "#problem"); !strings.Contains(p, "Исправьте ошибки") {
		t.Fatalf("form errors: %q", p)
	}
	checkPage(t, ctx, "person-errors-ru")
}

package lkweb_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// The account itself over HTTP: every page says who acts for whom (LK-8), the signed extract
// downloads with its detached signature, which verifies (REG-9), and the devices and sessions
// of the settings end one by one or everywhere but here.

// get fetches path of the server at base as a browser with the cookies given would, following
// redirects within the site, and returns the last status, the address it ended at and the body.
func get(t *testing.T, base, path string, cookies ...*http.Cookie) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Accept-Language", "ru")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.RequestURI(), string(b)
}

// lkRoute is a GET pattern of the personal account's site in lkweb.go.
var lkRoute = regexp.MustCompile(`mux\.Handle\("GET (/lk/[^"]*)"`)

// LK-8: "every page says who is acting for whom". A representative who switched to the
// principal's account is told so on every page of the site that a GET opens — the home page,
// the extract (a document of its own, whose note is not printed), the settings, the public pages
// a signed-in viewer may open — and every GET route of the site is walked or named here with the
// reason it is not a page; without the switch no page says it.
func TestActingOnEveryPage(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	rep := person(t, a, "Белова", "Ольга", "111111", time.Date(1968, 7, 1, 0, 0, 0, 0, time.UTC))
	principal := person(t, a, "Белова", "Нина", "222222", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC))
	card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: rep, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.SetOwnPassword(ctx, rep, card.ID, "Olga-pass-1!", "Olga-pass-1!", cabinet.Origin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.AddRepresentation(ctx, sys, cabinet.RepInput{Principal: principal, Representative: rep, Kind: cabinet.PowerOfAttorney,
		Notary: "Иванова Т. П.", Number: "77 АГ 1", IssuedOn: time.Now().Format(time.DateOnly), ValidUntil: time.Now().AddDate(0, 0, 10).Format(time.DateOnly),
		Powers: []string{cabinet.PowerView, cabinet.PowerExtracts}, PassportShown: true, DocumentShown: true}); err != nil {
		t.Fatal(err)
	}
	app, key, err := a.Cabinet.SubmitApplication(ctx, cabinet.ApplicationInput{Surname: "Петрова", GivenName: "Анна", BirthDate: "1990-01-02",
		DocType: "passport_ru", DocNumber: "333333", DocIssuedOn: "2010-01-10", Email: "anna@example.org", Office: "7736", Consent: true}, "ru")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Sessions.Start(ctx, session.Start{Site: "lk", Subject: rep, Method: session.Password, Assurance: "card"})
	if err != nil {
		t.Fatal(err)
	}
	sess := &http.Cookie{Name: "__Host-kabinet_lk", Value: token}
	acting := &http.Cookie{Name: "__Host-kabinet_lk_acting", Value: principal}

	// Each GET route of the site: the address walked, or why it is not a page of the account.
	walked := map[string]string{
		"/lk/{$}":                   "/lk/",
		"/lk/login":                 "/lk/login?prompt=login",
		"/lk/oidc/refused/{reason}": "/lk/oidc/refused/mail",
		"/lk/oidc/password":         "/lk/oidc/password", // goes on to the home page: the account has a password
		"/lk/esign":                 "/lk/esign",
		"/lk/recovery":              "/lk/recovery",
		"/lk/recovery/link":         "/lk/recovery/link?l=a.b",
		"/lk/apply":                 "/lk/apply",
		"/lk/apply/{number}":        "/lk/apply/" + app.Number() + "?key=" + key,
		"/lk/extract":               "/lk/extract",
		"/lk/settings":              "/lk/settings",
		"/lk/representatives":       "/lk/representatives",
		"/lk/oidc/login":            "",
		"/lk/oidc/callback":         "",
		"/lk/esign/challenge":       "",
		"/lk/register":              "",
		"/lk/register/password":     "",
		"/lk/register/status":       "",
	}
	notPages := map[string]string{
		"/lk/oidc/login":        "sends the browser to the identity provider's site",
		"/lk/oidc/callback":     "the provider's answer, which ends in another page",
		"/lk/esign/challenge":   "the text to sign, as text/plain",
		"/lk/register":          "the Kyrgyz self-registration (KG-1): no representatives there",
		"/lk/register/password": "the Kyrgyz self-registration (KG-1): no representatives there",
		"/lk/register/status":   "the Kyrgyz application's status (KG-1): no representatives there",
	}
	src, err := os.ReadFile("lkweb.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range lkRoute.FindAllStringSubmatch(string(src), -1) {
		if _, ok := walked[m[1]]; !ok {
			t.Errorf("GET %s is neither walked nor named as not a page", m[1])
		}
	}
	var paths []string
	for pattern, path := range walked {
		if path != "" {
			paths = append(paths, path)
		} else if notPages[pattern] == "" {
			t.Errorf("%s: no reason given", pattern)
		}
	}
	slices.Sort(paths)
	for _, path := range paths {
		code, at, body := get(t, a.URL, path, sess, acting)
		if path == "/lk/recovery/link?l=a.b" && code == 404 && strings.Contains(body, `id="link-invalid"`) {
			code = 200 // the page of a link that does not work, answered as not found
		}
		if code != 200 || !strings.HasPrefix(at, "/lk/") {
			t.Errorf("%s: %d at %s", path, code, at)
			continue
		}
		if !strings.Contains(body, `id="acting"`) || !strings.Contains(body, "Белова Нина Ивановна") || !strings.Contains(body, principal) {
			t.Errorf("%s (at %s) does not say for whom the viewer acts:\n%.1500s", path, at, body)
		}
		if path == "/lk/extract" {
			note := html.UnescapeString(regexp.MustCompile(`(?s)<p class="notice" id="acting" role="note">(.*?)</p>`).FindStringSubmatch(body)[1])
			if want := "Белова Ольга Ивановна (ИНН " + rep + ") действует от имени: Белова Нина Ивановна, ИНН " + principal; !strings.HasPrefix(note, want) {
				t.Errorf("the extract's note: %q, want %q…", note, want)
			}
		}
		// Without the switch, the viewer's own pages say nothing of acting.
		if _, _, own := get(t, a.URL, path, sess); strings.Contains(own, `id="acting"`) {
			t.Errorf("%s says the viewer acts for someone without the switch", path)
		}
	}
	// The extract was issued for the principal, and the history says by whom.
	events, err := a.Cabinet.Events(ctx, principal, 20)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(events, func(e cabinet.Event) bool { return e.Kind == "extract_issued" }); i < 0 || events[i].Actor != rep {
		t.Errorf("the principal's history: %+v", events)
	}
}

// signedApp starts the whole application with extracts signed by a demo office, as `kabinet
// serve --demo` runs it, and returns its address and the directory of the demo centre's root.
func signedApp(t *testing.T) (*app.App, string, string) {
	t.Helper()
	dir := t.TempDir()
	signer, err := extract.DemoSigner(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Config{DB: storetest.SQLite(t), Log: slog.New(slog.DiscardHandler),
		Hasher: password.NewHasherWith(apptest.CheapHash, 0), ExtractSigner: signer, OIDC: app.OIDC{SecretKey: apptest.TestSecretKey}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return a, srv.URL, filepath.Join(dir, extract.DemoRoots)
}

var fileLink = regexp.MustCompile(`<a id="extract-(pdf|p7s)" href="([^"]+)">`)

// The account's signed extract (REG-9 in the personal account): the extract page links its PDF
// and its detached signature; both download, and the signature verifies over the PDF against the
// root of the office's certificate (package esign, as `kabinet esign verify` does), naming the
// office; a changed PDF does not verify. The PDF at once (?format=pdf) is signed too.
func TestSignedExtract(t *testing.T) {
	a, base, roots := signedApp(t)
	ctx := context.Background()
	res, err := a.Register.RegisterPerson(ctx, sys, personInput("Соколова", "Елена", "111111", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC)))
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register: %+v %v", res, err)
	}
	tin := res.Taxpayer.TIN
	card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: base}
	if code, f := c.login(tin, card.TemporaryPassword, "Volga-2026!"); code != 200 {
		t.Fatalf("login: %d %v", code, f)
	}
	sess := &http.Cookie{Name: "__Host-kabinet_lk", Value: c.token}
	code, _, page := get(t, base, "/lk/extract", sess)
	if code != 200 || !strings.Contains(page, tin) || !strings.Contains(page, "подписана электронной подписью налогового органа") {
		t.Fatalf("the extract page: %d\n%.2000s", code, page)
	}
	links := map[string]string{}
	for _, m := range fileLink.FindAllStringSubmatch(page, -1) {
		links[m[1]] = html.UnescapeString(m[2])
	}
	if links["pdf"] == "" || links["p7s"] == "" {
		t.Fatalf("the extract page links %v", links)
	}
	download := func(path, ctype string) []byte {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(sess)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %s %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		return b
	}
	pdf := download(links["pdf"], "application/pdf")
	sig := download(links["p7s"], "application/pkcs7-signature")
	if !strings.HasPrefix(string(pdf), "%PDF") || len(sig) < 100 {
		t.Fatalf("the files: %d bytes of PDF %.8q, %d of signature", len(pdf), pdf, len(sig))
	}
	v, err := esign.NewVerifier(esign.Config{RootsDir: roots})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := v.VerifyDetached(ctx, pdf, sig)
	if err != nil || signer.Organization != extract.DemoOffice.Organization {
		t.Fatalf("the signature: %+v %v", signer, err)
	}
	if _, err := v.VerifyDetached(ctx, append(slices.Clone(pdf), "%changed\n"...), sig); err == nil {
		t.Fatal("a changed PDF verifies")
	}
	// The PDF at once is another extract, signed as well: its signature is kept under its number.
	now := download("/lk/extract?format=pdf", "application/pdf")
	if string(now) == string(pdf) {
		t.Fatal("the PDF at once is the same extract")
	}
	entries, err := a.DB.ListAudit(ctx, audit.Filter{Subject: tin, Action: "taxpayer.extract"})
	if err != nil || len(entries) != 2 || !strings.HasPrefix(entries[0].Details, "extract=") {
		t.Fatalf("the extracts issued: %+v %v", entries, err)
	}
	issued, err := a.Register.ExtractFiles(ctx, tin, strings.TrimPrefix(entries[0].Details, "extract="), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyDetached(ctx, now, issued.Signature); err != nil {
		t.Fatalf("the PDF at once: %v", err)
	}
}

var (
	endRE      = regexp.MustCompile(`<input type="hidden" name="end" value="([^"]+)">`)
	sessionRow = regexp.MustCompile(`(?s)<table id="sessions">.*?</table>`)
)

// The devices and sessions of the security settings, with "sign out everywhere": another
// browser's session is listed and can be ended alone (it is signed out, this one stays); a
// session of another account cannot be ended from here; "sign out everywhere" ends every other
// session — browsers and a program's token alike — and keeps this one; the history says so.
func TestSessionsAndSignOutEverywhere(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	tin, stranger := ownAccount(t, a, "Соколова", "111111"), ownAccount(t, a, "Морозова", "222222")
	login := func(ua, who string) *browser {
		t.Helper()
		b := newBrowser(t, a.URL)
		b.Header.Set("User-Agent", ua)
		p := b.Follow(b.Do("GET", "/lk/login", nil))
		action, csrf := webtest.Form(t, p, "login-form")
		p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {who}, "password": {"Volga-2026!"}}))
		if s, _ := b.session(); s != who {
			t.Fatalf("%s did not sign in: %s %d", ua, p.URL, p.Status)
		}
		return b
	}
	here := login("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", tin)
	other := login("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", tin)
	settings := func() answer {
		t.Helper()
		p := here.Do("GET", "/lk/settings", nil)
		if p.Status != 200 {
			t.Fatalf("settings: %d", p.Status)
		}
		return p
	}
	p := settings()
	table := sessionRow.FindString(p.Body)
	// Each device as its owner recognises it: browser, version, system.
	if !strings.Contains(table, "Firefox 121, Windows <strong>(это устройство)</strong>") || !strings.Contains(table, "Chrome 120, Android") ||
		strings.Contains(table, "Mozilla") {
		t.Fatalf("the sessions listed:\n%s", table)
	}
	ends := endRE.FindAllStringSubmatch(table, -1)
	if len(ends) != 1 {
		t.Fatalf("%d sessions to end, want the other browser's", len(ends))
	}
	// A session of another account is not this account's to end.
	strangerB := login("Browser-Stranger/3.0", stranger)
	strangerSessions, err := a.Sessions.List(ctx, "lk", stranger)
	if err != nil || len(strangerSessions) != 1 {
		t.Fatalf("the stranger's sessions: %+v %v", strangerSessions, err)
	}
	action, csrf := webtest.Form(t, p, "signout-form")
	here.Follow(here.Do("POST", action, url.Values{"csrf": {csrf}, "end": {strangerSessions[0].ID}}))
	if s, _ := strangerB.session(); s != stranger {
		t.Fatal("another account's session was ended from these settings")
	}
	// The other browser's session, alone.
	p = here.Follow(here.Do("POST", action, url.Values{"csrf": {csrf}, "end": {ends[0][1]}}))
	if p.Status != 200 || !strings.Contains(p.Body, "Сеансы завершены") {
		t.Fatalf("end one: %d %s", p.Status, p.URL)
	}
	if s, _ := other.session(); s != "" {
		t.Fatal("the ended session still works")
	}
	if s, _ := here.session(); s != tin {
		t.Fatal("this session ended too")
	}
	if strings.Contains(sessionRow.FindString(settings().Body), "Browser-Other/2.0") {
		t.Fatal("the ended session is still listed")
	}
	// Everywhere: two browsers and a program's token end, this one stays.
	other, third := login("Browser-Other/2.0", tin), login("Browser-Third/4.0", tin)
	api := &client{t: t, base: a.URL}
	if code, f := api.login(tin, "Volga-2026!", ""); code != 200 {
		t.Fatalf("the program's login: %d %v", code, f)
	}
	if list, _ := a.Sessions.List(ctx, "lk", tin); len(list) != 4 {
		t.Fatalf("%d sessions before signing out everywhere", len(list))
	}
	p = settings()
	action, csrf = webtest.Form(t, p, "signout-form")
	p = here.Follow(here.Do("POST", action, url.Values{"csrf": {csrf}}))
	if p.Status != 200 || !strings.Contains(p.Body, "Сеансы завершены") {
		t.Fatalf("sign out everywhere: %d %s", p.Status, p.URL)
	}
	for name, b := range map[string]*browser{"the other browser": other, "the third browser": third} {
		if s, _ := b.session(); s != "" {
			t.Errorf("%s is still signed in", name)
		}
	}
	if code, _ := api.do("GET", "/lk/", nil); code != 401 {
		t.Errorf("the program's session after signing out everywhere: %d", code)
	}
	if s, _ := here.session(); s != tin {
		t.Fatal("signing out everywhere ended this session too")
	}
	if list, _ := a.Sessions.List(ctx, "lk", tin); len(list) != 1 {
		t.Fatalf("%d sessions left, want this one", len(list))
	}
	if s, _ := strangerB.session(); s != stranger {
		t.Fatal("another account's session ended")
	}
	if !strings.Contains(settings().Body, "выход на всех устройствах") {
		t.Error("the history does not say the account was signed out everywhere")
	}
}

// LK-4: a contact's code that has expired takes its form off the settings page, so its error is
// shown under the field that sends a new code, not in a summary that links to nothing.
func TestExpiredContactCode(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	tin := ownAccount(t, a, "Соколова", "111111")
	b := newBrowser(t, a.URL)
	p := b.Follow(b.Do("GET", "/lk/login", nil))
	action, csrf := webtest.Form(t, p, "login-form")
	b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {tin}, "password": {"Volga-2026!"}}))
	p = b.Do("GET", "/lk/settings", nil)
	action, csrf = webtest.Form(t, p, "email-form")
	b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "email": {"e.sokolova@example.org"}}))
	code := storetest.LastCode(t, a.DB, "e.sokolova@example.org")
	p = b.Do("GET", "/lk/settings", nil)
	action, csrf = webtest.Form(t, p, "email-confirm-form")
	a.Clock.Advance(cabinet.CodeTTL + time.Minute) // the code typed after it expired
	p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "email_code": {code}}))
	if !strings.Contains(p.Body, `<span class="error" id="email-error">`+i18n.T("ru", "lk.code.expired")+`</span>`) {
		t.Fatalf("the expired code's error is not under the e-mail: %s", p.Body)
	}
}

// ownAccount registers a person (given name Елена, passport number) with a card whose temporary
// password was replaced by Volga-2026!, and returns the TIN.
func ownAccount(t *testing.T, a *apptest.App, surname, number string) string {
	t.Helper()
	ctx := context.Background()
	tin := person(t, a, surname, "Елена", number, time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC))
	c, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.SetOwnPassword(ctx, tin, c.ID, "Volga-2026!", "Volga-2026!", cabinet.Origin{}); err != nil {
		t.Fatal(err)
	}
	return tin
}

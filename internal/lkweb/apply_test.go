package lkweb_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// LK-7: the applicant chooses the office they will visit by its region and name, never by its
// code: the regions by name (a federal city among its letter), then "show the offices" lists the
// region's offices with what was typed kept, and the office chosen goes into the application.
func TestApplyOfficeChoice(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	b := webtest.NewBrowser(t, a.URL)
	p := b.Do("GET", "/lk/apply", nil)
	if p.Status != 200 || !strings.Contains(p.Body, `<select id="region" name="region"`) || strings.Contains(p.Body, `id="office"`) {
		t.Fatalf("the form: %d", p.Status)
	}
	altai, moscow, adygea := strings.Index(p.Body, ">Алтайский край<"), strings.Index(p.Body, `<option value="77">Москва</option>`), strings.Index(p.Body, ">Республика Адыгея<")
	if altai < 0 || moscow < altai || adygea < moscow {
		t.Errorf("the regions are not in alphabetical order: %d %d %d", altai, moscow, adygea)
	}
	action, csrf := webtest.Form(t, p, "apply-form")
	form := url.Values{"csrf": {csrf}, "surname": {"Петрова"}, "given_name": {"Анна"}, "birth_date": {"1990-01-02"}, "document_type": {"passport_ru"},
		"document_series": {"45 11"}, "document_number": {"333333"}, "document_issued_on": {"2010-01-10"}, "email": {"anna@example.org"},
		"consent": {"1"}, "region": {"77"}, "action": {"offices"}}
	p = b.Do("POST", action, form)
	if p.Status != 200 || !strings.Contains(p.Body, `<option value="7736">7736 — Инспекция ФНС России № 36 по г. Москве</option>`) ||
		strings.Contains(p.Body, `<option value="5001">`) || !strings.Contains(p.Body, `value="Петрова"`) || strings.Contains(p.Body, `id="problem"`) {
		t.Fatalf("the offices of Moscow: %d %s", p.Status, p.Body)
	}
	if !strings.Contains(p.Body, `<option value="77" selected>Москва</option>`) {
		t.Error("the region chosen is not kept")
	}
	form.Del("action")
	form.Set("office", "7736")
	p = b.Do("POST", action, form)
	if !strings.Contains(p.Location, "/lk/apply/") || p.Status != 303 {
		t.Fatalf("the application: %d %s", p.Status, p.Location)
	}
	if p = b.Follow(p); !strings.Contains(p.Body, "Инспекция ФНС России № 36 по г. Москве") {
		t.Fatalf("the printable application does not name the office: %s", p.Body)
	}
}

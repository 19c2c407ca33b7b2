package identity_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-2, IDP-5: the embedded directories load, and every entry is complete: a name and an
// agency in every language of the catalogue, a level, an audience; a centre's kind, name, city,
// address, services and hours, every code with a label.
func TestEmbeddedCatalogue(t *testing.T) {
	d := identity.EmbeddedCatalogue()
	services, centres := d.Services(), d.Centres()
	if len(services) < 15 || len(centres) < 20 {
		t.Fatalf("%d services, %d centres", len(services), len(centres))
	}
	label := func(kind, code string) {
		t.Helper()
		for _, l := range i18n.Languages() {
			if !i18n.Has(l, "enum."+kind+"."+code) {
				t.Errorf("no %s label enum.%s.%s", l, kind, code)
			}
		}
	}
	perLevel := map[identity.Level]int{}
	for _, s := range services {
		for _, l := range i18n.Languages() {
			if !i18n.Complete(l) {
				continue // a language with a fallback (Kyrgyz) shows the default language's names
			}
			if strings.TrimSpace(s.Name[l]) == "" || strings.TrimSpace(s.Agency[l]) == "" {
				t.Errorf("service %s: no name or agency in %s", s.ID, l)
			}
		}
		if got, ok := d.Service(s.ID); !ok || got.ID != s.ID {
			t.Errorf("service %s not found by id", s.ID)
		}
		perLevel[s.Level]++
		label("level", string(s.Level))
		label("audience", s.Audience)
	}
	for _, l := range identity.Levels {
		if perLevel[l] < 3 {
			t.Errorf("only %d services at level %s", perLevel[l], l)
		}
	}
	// The examples of the SPEC are at their levels (IDP-2).
	for id, want := range map[string]identity.Level{"traffic-fines": identity.Simplified, "doctor-appointment": identity.Standard,
		"vehicle-registration": identity.Standard, "taxpayer-account": identity.Confirmed} {
		if s, ok := d.Service(id); !ok || s.Level != want {
			t.Errorf("%s: %+v, want level %s", id, s, want)
		}
	}
	confirming := 0
	for _, c := range centres {
		if c.Name == "" || c.City == "" || c.Address == "" || len(c.Services) == 0 || len(c.Hours) == 0 {
			t.Errorf("centre %s is incomplete: %+v", c.ID, c)
		}
		if got, ok := d.Centre(c.ID); !ok || got.ID != c.ID {
			t.Errorf("centre %s not found by id", c.ID)
		}
		label("centre_kind", c.Kind)
		for _, s := range c.Services {
			label("centre_service", s)
		}
		for _, h := range c.Hours {
			label("weekday", h.From)
			label("weekday", h.To)
		}
		if c.Does(identity.DoConfirm) {
			confirming++
		}
	}
	if confirming < 15 {
		t.Errorf("only %d centres confirm accounts", confirming)
	}
	if cities := d.Cities(); len(cities) < 6 || cities[0] != "Владивосток" || !slices.Contains(cities, "Нижний Новгород") {
		t.Errorf("cities %v", cities)
	}
	for _, k := range identity.CentreKinds {
		label("centre_kind", k)
	}
	for _, a := range identity.Audiences {
		label("audience", a)
	}
	for _, w := range identity.Weekdays {
		label("weekday", w)
	}
}

// Wrong data are refused at load, each with what is wrong.
func TestCatalogueRefusesBadData(t *testing.T) {
	service := `{"id":"x","level":"standard","audience":"citizens","name":{"ru":"Услуга","en":"Service"},"agency":{"ru":"Ведомство","en":"Agency"}}`
	centre := `{"id":"c","kind":"mfc","name":"МФЦ","city":"Тверь","address":"ул. Новая, д. 1","services":["confirm"],"hours":["mon-fri 09:00-18:00"]}`
	if _, err := identity.ReadServices(strings.NewReader("[" + service + "]")); err != nil {
		t.Fatalf("a good service: %v", err)
	}
	if _, err := identity.ReadCentres(strings.NewReader("[" + centre + "]")); err != nil {
		t.Fatalf("a good centre: %v", err)
	}
	for _, c := range []struct{ name, services, centres, want string }{
		{"unknown level", strings.Replace(service, "standard", "gold", 1), "", `unknown level "gold"`},
		{"no level", strings.Replace(service, `"level":"standard",`, "", 1), "", "unknown level"},
		{"no name in ru", strings.Replace(service, `"ru":"Услуга",`, "", 1), "", "no name in ru"},
		{"no agency", strings.Replace(service, `,"agency":{"ru":"Ведомство","en":"Agency"}`, "", 1), "", "no agency"},
		{"bad audience", strings.Replace(service, "citizens", "aliens", 1), "", "unknown audience"},
		{"bad way of confirmation", strings.Replace(service, `"audience":"citizens"`, `"audience":"citizens","not_by":["pigeon"]`, 1), "", "unknown way of confirmation"},
		{"bad id", strings.Replace(service, `"id":"x"`, `"id":"X y"`, 1), "", "id"},
		{"id twice", service + "," + service, "", "used twice"},
		{"unknown field", strings.Replace(service, `"id"`, `"price":1,"id"`, 1), "", "unknown field"},
		{"unknown kind", "", strings.Replace(centre, "mfc", "kiosk", 1), `unknown kind "kiosk"`},
		{"no city", "", strings.Replace(centre, "Тверь", " ", 1), "no city"},
		{"no address", "", strings.Replace(centre, `"address":"ул. Новая, д. 1",`, "", 1), "no address"},
		{"no services", "", strings.Replace(centre, `["confirm"]`, `[]`, 1), "no services"},
		{"unknown service", "", strings.Replace(centre, `"confirm"`, `"divorce"`, 1), "unknown service"},
		{"no hours", "", strings.Replace(centre, `["mon-fri 09:00-18:00"]`, `[]`, 1), "no opening hours"},
		{"bad hours", "", strings.Replace(centre, "09:00-18:00", "18:00-09:00", 1), "opening before closing"},
		{"bad days", "", strings.Replace(centre, "mon-fri", "fri-mon", 1), "days"},
		{"day twice", "", strings.Replace(centre, `"mon-fri 09:00-18:00"`, `"mon-fri 09:00-18:00","fri closed"`, 1), "fri given twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.services != "" {
				_, err = identity.ReadServices(strings.NewReader("[" + c.services + "]"))
			} else {
				_, err = identity.ReadCentres(strings.NewReader("[" + c.centres + "]"))
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// A deployment's own entries extend the directories: a new centre is added, one with a known
// id replaced; a wrong file is refused.
func TestCatalogueExtend(t *testing.T) {
	base := identity.EmbeddedCatalogue()
	extra := fstest.MapFS{
		"centres.json": {Data: []byte(`[
 {"id":"mfc-tver-1","kind":"mfc","name":"МФЦ Заволжского района","city":"Тверь","address":"170003, ул. Новая, д. 1","services":["confirm","register"],"hours":["mon-fri 09:00-18:00","sat-sun closed"]},
 {"id":"mfc-moscow-1","kind":"mfc","name":"МФЦ «Мои документы» Тверского района","city":"Москва","address":"125009, ул. Тверская, д. 10","services":["confirm"],"hours":["mon-sun 09:00-21:00"]}]`)},
	}
	d, err := base.Extend(extra)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Centres()) != len(base.Centres())+1 || len(d.Services()) != len(base.Services()) {
		t.Fatalf("%d centres, %d services", len(d.Centres()), len(d.Services()))
	}
	if c, ok := d.Centre("mfc-moscow-1"); !ok || !strings.Contains(c.Address, "д. 10") {
		t.Fatalf("replaced: %+v", c)
	}
	if c, _ := base.Centre("mfc-moscow-1"); strings.Contains(c.Address, "д. 10") {
		t.Fatal("the base directory changed")
	}
	if got, _ := d.FindCentres("тверь", identity.DoConfirm); len(got) != 1 || got[0].ID != "mfc-tver-1" {
		t.Fatalf("found %v", got)
	}
	if _, err := base.Extend(fstest.MapFS{"services.json": {Data: []byte(`[{"id":"x","level":"platinum"}]`)}}); err == nil {
		t.Fatal("a wrong file was taken")
	}
	// The provider uses the embedded directories unless it is given others.
	if _, ok := identity.New(identity.Options{}).Catalogue().Centre("mfc-tver-1"); ok {
		t.Fatal("the embedded catalogue has the extension's centre")
	}
	if _, ok := identity.New(identity.Options{Catalogue: d}).Catalogue().Centre("mfc-tver-1"); !ok {
		t.Fatal("the extended catalogue is not in use")
	}
}

// Opening hours read and write their text form.
func TestOpeningText(t *testing.T) {
	var hours []identity.Opening
	if err := json.Unmarshal([]byte(`["mon-fri 08:00-20:00","sat 10:00-16:00","sun closed"]`), &hours); err != nil {
		t.Fatal(err)
	}
	want := []identity.Opening{{From: "mon", To: "fri", Opens: "08:00", Closes: "20:00"}, {From: "sat", To: "sat", Opens: "10:00", Closes: "16:00"}, {From: "sun", To: "sun"}}
	if !slices.Equal(hours, want) || !hours[2].Closed() || hours[0].Closed() {
		t.Fatalf("%+v", hours)
	}
	b, _ := json.Marshal(hours)
	if string(b) != `["mon-fri 08:00-20:00","sat 10:00-16:00","sun closed"]` {
		t.Fatalf("%s", b)
	}
	for _, bad := range []string{"", "mon", "mon 8:00-20:00", "mon 08:00", "mon 20:00-08:00", "xyz closed", "sun-mon closed", "mon 08:00-25:00"} {
		var o identity.Opening
		if err := o.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q was taken: %+v", bad, o)
		}
	}
}

// IDP-2: an account uses the services of its level and below; the rest wait for a higher level,
// the nearest first. A visitor uses none.
func TestServicesFor(t *testing.T) {
	d := identity.EmbeddedCatalogue()
	all := len(d.Services())
	for _, c := range []struct {
		level       identity.Level
		now, higher []identity.Level
	}{
		{"", nil, []identity.Level{identity.Simplified, identity.Standard, identity.Confirmed}},
		{identity.Simplified, []identity.Level{identity.Simplified}, []identity.Level{identity.Standard, identity.Confirmed}},
		{identity.Standard, []identity.Level{identity.Simplified, identity.Standard}, []identity.Level{identity.Confirmed}},
		{identity.Confirmed, []identity.Level{identity.Simplified, identity.Standard, identity.Confirmed}, nil},
	} {
		t.Run(string(c.level)+"-", func(t *testing.T) {
			now, later := d.ServicesFor(c.level)
			if len(now)+len(later) != all {
				t.Fatalf("%d + %d services of %d", len(now), len(later), all)
			}
			levels := func(ss []identity.Service) []identity.Level {
				var out []identity.Level
				for _, s := range ss {
					if len(out) == 0 || out[len(out)-1] != s.Level {
						out = append(out, s.Level)
					}
				}
				return out
			}
			if got := levels(later); !slices.Equal(got, c.higher) {
				t.Errorf("later: levels %v, want %v in this order", got, c.higher)
			}
			for _, s := range now {
				if !slices.Contains(c.now, s.Level) {
					t.Errorf("now: %s needs %s", s.ID, s.Level)
				}
			}
		})
	}
}

// IDP-5: the finder by city (a part of its name, any case, ё = е, hyphens as spaces) and by
// service.
func TestFindCentres(t *testing.T) {
	d := identity.EmbeddedCatalogue()
	ids := func(cs []identity.Centre) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, c := range []struct {
		name, city, service string
		want                []string // exactly these, in this order; nil: see min
		min                 int
		field               string // the field refused
	}{
		{name: "all", min: 25},
		{name: "city exact", city: "Москва", want: []string{"mfc-moscow-1", "mfc-moscow-2", "mfc-moscow-3", "post-moscow-1", "bank-moscow-1"}},
		{name: "lower case", city: "москва", want: []string{"mfc-moscow-1", "mfc-moscow-2", "mfc-moscow-3", "post-moscow-1", "bank-moscow-1"}},
		{name: "a part", city: "петербург", want: []string{"mfc-spb-1", "mfc-spb-2", "post-spb-1", "bank-spb-1"}},
		{name: "spaces and hyphens", city: "  санкт петербург ", want: []string{"mfc-spb-1", "mfc-spb-2", "post-spb-1", "bank-spb-1"}},
		{name: "ё as е", city: "ЕКАТЕРИНБУРГ", service: identity.DoConfirm, want: []string{"mfc-ekaterinburg-1", "mfc-ekaterinburg-2", "post-ekaterinburg-1", "bank-ekaterinburg-1"}},
		{name: "ростов на дону", city: "Ростов на Дону", want: []string{"mfc-rostov-1", "bank-rostov-1"}},
		{name: "service filter", city: "Новосибирск", service: identity.DoConfirm, want: []string{"mfc-novosibirsk-1", "mfc-novosibirsk-2"}},
		{name: "register only", city: "Новосибирск", service: identity.DoRegister, want: []string{"mfc-novosibirsk-1", "mfc-novosibirsk-2", "post-novosibirsk-1"}},
		{name: "recover", city: "Самара", service: identity.DoRecover, want: []string{"mfc-samara-1", "post-samara-1"}},
		{name: "a bank does not recover", city: "Казань", service: identity.DoRecover, want: []string{"mfc-kazan-1", "mfc-kazan-2"}},
		{name: "by service only", service: identity.DoConfirm, min: 20},
		{name: "no such city", city: "Тмутаракань", want: []string{}},
		{name: "unknown service", city: "Москва", service: "divorce", field: "service"},
		{name: "too long", city: strings.Repeat("я", identity.MaxCityQuery+1), field: "city"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := d.FindCentres(c.city, c.service)
			if c.field != "" {
				if p, ok := problem.As(err); !ok || p.Code != problem.Invalid || p.Fields[0].Field != c.field {
					t.Fatalf("want field %s refused, got %v", c.field, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("nil, not an empty list")
			}
			if c.want != nil && !slices.Equal(ids(got), c.want) && !(len(c.want) == 0 && len(got) == 0) {
				t.Fatalf("got %v, want %v", ids(got), c.want)
			}
			if len(got) < c.min {
				t.Fatalf("%d centres, want at least %d", len(got), c.min)
			}
			for _, ctr := range got {
				if c.service != "" && !ctr.Does(c.service) {
					t.Errorf("%s does not do %s", ctr.ID, c.service)
				}
			}
			for i := 1; i < len(got); i++ {
				if got[i-1].City > got[i].City {
					t.Errorf("not ordered by city: %s before %s", got[i-1].City, got[i].City)
				}
			}
		})
	}
}

// IDP-4a, BO-4: the operator's checklist names a centre of the directory that confirms
// accounts; an unknown id, or a centre that does not confirm, is refused on the field "centre".
func TestChecklistCentre(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	a := e.verified("Соколова", "+79161234567")
	op := audit.Actor{Login: "mfc1", Role: "operator", RemoteAddr: "10.1.1.1"}
	for _, centre := range []string{"", "no-such-centre", "post-samara-1"} {
		_, err := e.p.IssueOperatorCode(ctx, op, a.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: centre})
		p, ok := problem.As(err)
		if !ok || len(p.Fields) != 1 || p.Fields[0].Field != "centre" {
			t.Fatalf("centre %q: %v", centre, err)
		}
		if centre != "" && p.Fields[0].Message.Key != "idp.operator.centre_unknown" {
			t.Errorf("centre %q: message %s", centre, p.Fields[0].Message.Key)
		}
	}
	if _, err := e.p.IssueOperatorCode(ctx, op, a.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "bank-kazan-1"}); err != nil {
		t.Fatal(err)
	}
}

package mobileapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kabinet/kabinet/internal/api"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// JSON journeys of the Kyrgyz taxpayer cabinet through the whole application (apptest, the kg
// profile), every answer of the registration flow and of the mobile API validated against the
// OpenAPI document: self-registration with «Поиск» (KG-1), the inspector's approval after the
// passport in the back office (BO-3), then the mobile login with the documents accepted (KG-2).

var sys = audit.Actor{Login: "test", Role: "system"}

// kgApp starts the application in the kg profile with the demo's taxpayers and an inspector of
// УГНС office.
type kgApp struct {
	*apptest.App
	t       *testing.T
	persons []register.PersonInput
	schema  *jsonschema.Compiler
	lang    string
}

func startKG(t *testing.T, db *store.DB, office string) *kgApp {
	t.Helper()
	ctx := context.Background()
	a := apptest.Start(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "asanova", Role: staff.RoleInspector, Name: "Асанова Айгүл", Office: office}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("file:///openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &kgApp{App: a, t: t, persons: demo.KyrgyzPersons(1, 40), schema: c, lang: "ru"}
}

// do sends a JSON request and, when tmpl names a path of the OpenAPI document, validates the
// answer against the schema of its status and content type.
func (k *kgApp) do(method, path, tmpl string, body any, header map[string]string) (int, map[string]any) {
	k.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, k.URL+path, r)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", k.lang)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for h, v := range header {
		req.Header.Set(h, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			k.t.Fatalf("%s %s: %d not JSON: %.300s", method, path, resp.StatusCode, raw)
		}
	}
	if tmpl != "" {
		k.validate(method, path, tmpl, resp, raw)
	}
	return resp.StatusCode, out
}

func (k *kgApp) validate(method, path, tmpl string, resp *http.Response, raw []byte) {
	k.t.Helper()
	op := fmt.Sprintf("file:///openapi.json#/paths/%s/%s/responses/%d", strings.ReplaceAll(tmpl, "/", "~1"), strings.ToLower(method), resp.StatusCode)
	if resp.StatusCode == http.StatusNoContent {
		if _, err := k.schema.Compile(op + "/description"); err != nil && len(raw) > 0 {
			k.t.Fatalf("%s %s → 204 with a body: %s", method, path, raw)
		}
		return
	}
	ctype := strings.SplitN(resp.Header.Get("Content-Type"), ";", 2)[0]
	sch, err := k.schema.Compile(op + "/content/" + strings.ReplaceAll(ctype, "/", "~1") + "/schema")
	if err != nil {
		k.t.Fatalf("%s %s → %d %s: no schema in the OpenAPI document: %v\n%s", method, path, resp.StatusCode, ctype, err, raw)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		k.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	if err := sch.Validate(inst); err != nil {
		k.t.Fatalf("%s %s → %d: does not match the OpenAPI document: %v\n%s", method, path, resp.StatusCode, err, raw)
	}
}

const regTmpl = "/lk/register/password"

// registration starts the self-registration flow at its form for the person type and returns the
// address to post to.
func (k *kgApp) registration(personType string) string {
	k.t.Helper()
	code, f := k.do("GET", regTmpl, regTmpl, nil, nil)
	if code != 200 || f["state"] != "type" {
		k.t.Fatalf("start: %d %v", code, f)
	}
	action := f["action"].(string)
	code, f = k.do("POST", action, regTmpl, map[string]string{"person_type": personType}, nil)
	if code != 200 || f["state"] != "form" {
		k.t.Fatalf("person type: %d %v", code, f)
	}
	return action
}

// field returns the value of a field of a flow's view.
func field(f map[string]any, name string) string {
	fields, _ := f["fields"].([]any)
	for _, x := range fields {
		m := x.(map[string]any)
		if m["name"] == name {
			v, _ := m["value"].(string)
			return v
		}
	}
	return ""
}

// fieldErrors returns a flow's or a problem's errors, field → message (in the request's
// language) | Russian message.
func fieldErrors(f map[string]any) map[string]string {
	p := f
	if pp, ok := f["problem"].(map[string]any); ok {
		p = pp
	}
	out := map[string]string{}
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["message"].(string) + " | " + m["message_ru"].(string)
	}
	return out
}

// officeToken signs the inspector in to the back office as a JSON client.
func (k *kgApp) officeToken() string {
	k.t.Helper()
	_, f := k.do("GET", "/office/login", "", nil, nil)
	code, f := k.do("POST", f["action"].(string), "", map[string]string{"login": "asanova", "password": "inspector-password"}, nil)
	res, _ := f["result"].(map[string]any)
	tok, _ := res["session_token"].(string)
	if code != 200 || tok == "" {
		k.t.Fatalf("office login: %d %v", code, f)
	}
	return tok
}

// approve posts the back office's approval form with the inspector's session token, as a JSON
// client (the page it leads to in next).
func (k *kgApp) approve(token, number string, passport bool) (int, map[string]any, string) {
	k.t.Helper()
	form := url.Values{"passport": {"ID 1234567"}}
	if passport {
		form.Set("passport_shown", "1")
	}
	req, _ := http.NewRequest("POST", k.URL+"/office/registrations/"+number+"/approve", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(web.SessionHeader, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	next, _ := out["next"].(string)
	return resp.StatusCode, out, next
}

// KG-1, BO-3, KG-2: an individual registers in Kyrgyz — «Поиск» fills the name and the УГНС, a
// Russian ИНН, an empty field and two passwords that differ are refused — and is told the number;
// the inspector of the УГНС grants access after the passport; the mobile application is refused
// without the documents and logs in with them; a refresh token rotates and its reuse ends the
// chain; logout ends it; a wrong password is 401.
func TestKyrgyzJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := startKG(t, db, "")
		var p register.PersonInput
		for _, x := range k.persons[20:] { // signs for no demo organization
			p = x
			break
		}
		// The inspector works in the applicant's УГНС.
		if _, err := db.SQL.Exec(`UPDATE staff SET office = $1 WHERE login = 'asanova'`, p.TaxOffice); err != nil {
			t.Fatal(err)
		}
		k.lang = "ky"
		action := k.registration("individual")
		code, f := k.do("POST", action, regTmpl, map[string]string{"action": "search", "tin": p.TIN}, nil)
		if code != 200 || field(f, "name") != p.Surname+" "+p.GivenName+" "+p.Patronymic || field(f, "office") != p.TaxOffice {
			t.Fatalf("«Поиск»: %d %v", code, f)
		}
		code, f = k.do("POST", action, regTmpl, map[string]string{"action": "search", "tin": "500100732259"}, nil)
		if e := fieldErrors(f); code != 422 || !strings.Contains(e["tin"], "российский ИНН") || !strings.Contains(e["tin"], "Россиянын ИННи") {
			t.Fatalf("a Russian ИНН: %d %v", code, e)
		}
		code, f = k.do("POST", action, regTmpl, map[string]string{"action": "register", "tin": p.TIN, "password": "kyzyl-tash-1", "password_repeat": "",
			"phone": "+996 555 100 200"}, nil)
		if e := fieldErrors(f); code != 422 || !strings.Contains(e["password_repeat"], "милдеттүү") || len(e) != 1 {
			t.Fatalf("an empty field: %d %v", code, e)
		}
		code, f = k.do("POST", action, regTmpl, map[string]string{"action": "register", "tin": p.TIN, "password": "kyzyl-tash-1", "password_repeat": "kyzyl-tash-2"}, nil)
		if e := fieldErrors(f); code != 422 || e["password_repeat"] != "Сырсөздөр дал келбейт | Пароли не совпадают" {
			t.Fatalf("«Пароли не совпадают»: %d %v", code, e)
		}
		if list, _ := k.Cabinet.Registrations(context.Background(), "", ""); len(list) != 0 {
			t.Fatalf("saved while refused: %v", list)
		}
		code, f = k.do("POST", action, regTmpl, map[string]string{"action": "register", "tin": p.TIN, "password": "kyzyl-tash-1", "password_repeat": "kyzyl-tash-1",
			"phone": "+996 555 100 200"}, nil)
		res, _ := f["result"].(map[string]any)
		if name, _ := res["office_name"].(string); !strings.HasSuffix(name, "боюнча УГНС") { // the УГНС named in Kyrgyz in Kyrgyz
			t.Errorf("the application in ky names the УГНС %q", name)
		}
		if code != 200 || f["state"] != "saved" || res["office"] != p.TaxOffice || res["login"] != p.TIN || !strings.Contains(res["next"].(string), "паспорт") {
			t.Fatalf("saved: %d %v", code, f)
		}
		number := res["number"].(string)
		// A replay of the flow finds nothing to take.
		if code, _ := k.do("POST", action, regTmpl, map[string]string{"action": "register"}, nil); code == 200 {
			t.Fatalf("the saved flow took another step: %d", code)
		}

		// No account before the inspector's decision.
		login := map[string]any{"login": p.TIN, "password": "kyzyl-tash-1", "accept_offer": true, "accept_privacy": true}
		if code, f := k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", login, nil); code != 401 {
			t.Fatalf("before the approval: %d %v", code, f)
		}
		tok := k.officeToken()
		if code, f, _ := k.approve(tok, number, false); code != 422 || !strings.Contains(fieldErrors(f)["passport_shown"], "паспорт") {
			t.Fatalf("without the passport: %d %v", code, f)
		}
		if code, _, next := k.approve(tok, number, true); code != 200 || next != "/office/registrations/"+number+"/handover" {
			t.Fatalf("approve: %d %s", code, next)
		}
		if body := outboxTo(t, db, "+996555100200"); !strings.Contains(body, p.TIN) {
			t.Errorf("the SMS: %q", body)
		}

		// KG-2: without either document, then with both.
		k.lang = "ru"
		code, f = k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", map[string]any{"login": p.TIN, "password": "kyzyl-tash-1"}, nil)
		if e := fieldErrors(f); code != 403 || len(e) != 2 || !strings.Contains(e["accept_offer"], "2026-01") || !strings.Contains(f["title"].(string), "политика конфиденциальности (версия 2026-01)") {
			t.Fatalf("no documents accepted: %d %v", code, f)
		}
		missing := f["extra"].(map[string]any)["missing"].([]any)
		if len(missing) != 2 || missing[0].(map[string]any)["document"] != "offer" {
			t.Fatalf("missing %v", missing)
		}
		code, f = k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", map[string]any{"login": p.TIN, "password": "kyzyl-tash-1", "accept_offer": true}, nil)
		if e := fieldErrors(f); code != 403 || len(e) != 1 || e["accept_privacy"] == "" {
			t.Fatalf("the privacy policy missing: %d %v", code, f)
		}
		if code, f := k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", map[string]any{"login": p.TIN, "password": "wrong-password", "accept_offer": true,
			"accept_privacy": true}, nil); code != 401 || f["code"] != "lk.bad_credentials" {
			t.Fatalf("a wrong password: %d %v", code, f)
		}
		code, f = k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", login, nil)
		if code != 200 || f["token_type"] != "Bearer" || f["expires_in"].(float64) != 900 {
			t.Fatalf("login: %d %v", code, f)
		}
		access, refresh := f["access_token"].(string), f["refresh_token"].(string)
		bearer := map[string]string{"Authorization": "Bearer " + access}
		k.lang = "ky" // the profile in Kyrgyz names the УГНС in Kyrgyz
		code, f = k.do("GET", "/api/mobile/v1/profile", "/api/mobile/v1/profile", nil, bearer)
		k.lang = "ru"
		if code != 200 || f["login"] != p.TIN || f["kind"] != "person" || f["office"] != p.TaxOffice {
			t.Fatalf("profile: %d %v", code, f)
		}
		if name, _ := f["office_name"].(string); !strings.HasSuffix(name, "боюнча УГНС") {
			t.Errorf("profile in ky names the УГНС %q", name)
		}
		// Rotation and reuse.
		code, f = k.do("POST", "/api/mobile/v1/token", "/api/mobile/v1/token", map[string]string{"refresh_token": refresh}, nil)
		if code != 200 || f["refresh_token"] == refresh {
			t.Fatalf("refresh: %d %v", code, f)
		}
		access2 := f["access_token"].(string)
		if code, f := k.do("POST", "/api/mobile/v1/token", "/api/mobile/v1/token", map[string]string{"refresh_token": refresh}, nil); code != 401 {
			t.Fatalf("a reused refresh token: %d %v", code, f)
		}
		if code, _ := k.do("GET", "/api/mobile/v1/profile", "/api/mobile/v1/profile", nil, map[string]string{"Authorization": "Bearer " + access2}); code != 401 {
			t.Fatalf("the chain after a reuse: %d", code)
		}
		// Logout.
		code, f = k.do("POST", "/api/mobile/v1/login", "/api/mobile/v1/login", map[string]any{"login": p.TIN, "password": "kyzyl-tash-1"}, nil)
		if code != 200 {
			t.Fatalf("a second login, the documents accepted before: %d %v", code, f)
		}
		bearer = map[string]string{"Authorization": "Bearer " + f["access_token"].(string)}
		if code, _ := k.do("POST", "/api/mobile/v1/logout", "/api/mobile/v1/logout", nil, bearer); code != 204 {
			t.Fatalf("logout: %d", code)
		}
		if code, _ := k.do("GET", "/api/mobile/v1/profile", "/api/mobile/v1/profile", nil, bearer); code != 401 {
			t.Fatalf("after logout: %d", code)
		}
		if code, _ := k.do("POST", "/api/mobile/v1/logout", "/api/mobile/v1/logout", nil, nil); code != 401 {
			t.Fatalf("a logout with no token: %d", code)
		}
	})
}

// KG-1: a legal entity's registration — a person who is neither its head nor its accountant is
// refused for the organization with the reason; its head's search fills «Наименование
// налогоплательщика» and the organization's УГНС, and the application is saved.
func TestKyrgyzLegalEntityJourney(t *testing.T) {
	k := startKG(t, storetest.SQLite(t), "002")
	org := demo.KyrgyzOrganizations[0]
	head, outsider := k.persons[org.Head], k.persons[25]
	action := k.registration("legal")
	code, f := k.do("POST", action, regTmpl, map[string]string{"action": "search_org", "tin": outsider.TIN, "org_tin": org.TIN}, nil)
	if e := fieldErrors(f); code != 422 || !strings.Contains(e["org_tin"], "руководителем или бухгалтером") {
		t.Fatalf("a non-signatory: %d %v", code, e)
	}
	code, f = k.do("POST", action, regTmpl, map[string]string{"action": "search_org", "tin": head.TIN, "org_tin": org.TIN}, nil)
	if code != 200 || field(f, "org_name") != org.ShortName || field(f, "office") != org.TaxOffice || field(f, "name") == "" {
		t.Fatalf("the organization's search: %d %v", code, f)
	}
	code, f = k.do("POST", action, regTmpl, map[string]string{"action": "register", "tin": head.TIN, "org_tin": "", "password": "Jany-Tang-2026",
		"password_repeat": "Jany-Tang-2026"}, nil)
	if e := fieldErrors(f); code != 422 || e["org_tin"] == "" {
		t.Fatalf("the organization's ИНН left empty: %d %v", code, e)
	}
	code, f = k.do("POST", action, regTmpl, map[string]string{"action": "register", "tin": head.TIN, "org_tin": org.TIN, "password": "Jany-Tang-2026",
		"password_repeat": "Jany-Tang-2026"}, nil)
	res, _ := f["result"].(map[string]any)
	if code != 200 || res["login"] != org.TIN || res["office"] != org.TaxOffice {
		t.Fatalf("saved: %d %v", code, f)
	}
}

// The Russian profile has neither the self-registration nor the mobile API (404).
func TestRussianProfileHasNoMobileAPI(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	for _, c := range []struct{ method, path string }{{"POST", "/api/mobile/v1/login"}, {"GET", "/api/mobile/v1/profile"}, {"GET", "/lk/register/password"},
		{"GET", "/lk/register"}} {
		req, _ := http.NewRequest(c.method, a.URL+c.path, strings.NewReader(`{"login":"500100732259","password":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s %s in the ru profile: %d", c.method, c.path, resp.StatusCode)
		}
	}
}

// outboxTo returns the bodies of the messages to an address.
func outboxTo(t *testing.T, db *store.DB, to string) string {
	t.Helper()
	var b strings.Builder
	for _, m := range storetest.Sent(t, db, to) {
		b.WriteString(m.Body + "\n")
	}
	return b.String()
}

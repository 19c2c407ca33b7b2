package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kabinet/kabinet/internal/api"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type client struct {
	t      *testing.T
	url    string
	token  string
	schema *jsonschema.Compiler
	db     *store.DB
	staff  *staff.Service
}

func newClient(t *testing.T, db *store.DB) *client { return newClientWith(t, db, apptest.Options{}) }

// newClientWith starts the application with o and signs in as an inspector.
func newClientWith(t *testing.T, db *store.DB, o apptest.Options) *client {
	ctx := context.Background()
	a := apptest.Start(t, db, o)
	st := a.Staff
	sys := audit.Actor{Login: "test", Role: "system"}
	for _, m := range []struct {
		login string
		role  staff.Role
	}{{"insp", staff.RoleInspector}, {"oper", staff.RoleOperator}} {
		if _, err := st.Add(ctx, sys, m.login, m.role, "", "a-long-password"); err != nil {
			t.Fatal(err)
		}
	}
	tok, _, err := st.IssueToken(ctx, sys, "insp", time.Hour)
	if err != nil {
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
	return &client{t: t, url: a.URL, token: tok, schema: c, db: db, staff: a.Staff}
}

func (c *client) tokenFor(login string) string {
	tok, _, err := c.staff.IssueToken(context.Background(), audit.Actor{Login: "test", Role: "system"}, login, time.Hour)
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// do sends a request and validates the response against the OpenAPI document: the schema of
// the path's operation for the status and content type.
func (c *client) do(method, path, pathTemplate, body string, token ...string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	tok := c.token
	if len(token) > 0 {
		tok = token[0]
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	ctype := strings.SplitN(resp.Header.Get("Content-Type"), ";", 2)[0]
	ptr := fmt.Sprintf("file:///openapi.json#/paths/%s/%s/responses/%d/content/%s/schema",
		strings.ReplaceAll(strings.ReplaceAll(pathTemplate, "~", "~0"), "/", "~1"), strings.ToLower(method), resp.StatusCode, strings.ReplaceAll(ctype, "/", "~1"))
	sch, err := c.schema.Compile(ptr)
	if err != nil {
		c.t.Fatalf("%s %s → %d %s: no schema in the OpenAPI document: %v\n%s", method, path, resp.StatusCode, ctype, err, raw)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		c.t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
	}
	if err := sch.Validate(inst); err != nil {
		c.t.Fatalf("%s %s → %d: response does not match the OpenAPI schema: %v\n%s", method, path, resp.StatusCode, err, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

const person = `{"surname":"Соколова","given_name":"Елена","patronymic":"Викторовна","birth_date":"1985-04-12",
 "birth_place":"г. Москва","sex":"female","citizenship":"RUS","identity_document":{"type":"passport_ru","series":"4510","number":"123456","issued_on":"2005-05-20"},
 "ground":"residence","tax_office":"7736","address":{"region":"77","city":"Москва","street":"Ленинский проспект","house":"10","flat":"5"}}`

func fieldsOf(body map[string]any) map[string]string {
	out := map[string]string{}
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["message_en"].(string) + " | " + m["message_ru"].(string)
	}
	return out
}

func countRows(t *testing.T, db *store.DB, table string) int {
	var n int
	if err := db.SQL.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClient(t, db)
		// Register: 201 with a TIN of the law's structure, then the same person: 200, same TIN.
		code, body := c.do("POST", "/api/v1/persons", "/api/v1/persons", person)
		if code != 201 || body["created"] != true {
			t.Fatalf("create: %d %v", code, body)
		}
		tinStr := body["tin"].(string)
		if v, err := tin.ParseINN(tinStr); err != nil || v.TaxOffice != "7736" || v.Type != tin.Individual {
			t.Fatalf("TIN %s: %v", tinStr, err)
		}
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", person)
		if code != 200 || body["created"] != false || body["tin"] != tinStr {
			t.Fatalf("again: %d %v", code, body)
		}
		// Possible duplicate: same name and birth, another passport → 202 review.
		other := strings.Replace(person, `"number":"123456"`, `"number":"654321"`, 1)
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", other)
		if code != 202 || body["status"] != "pending_review" {
			t.Fatalf("review: %d %v", code, body)
		}
		rid := int64(body["review_id"].(float64))
		code, body = c.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", rid), "/api/v1/reviews/{id}/decision", `{"same_as":"`+tinStr+`"}`)
		if code != 200 || body["tin"] != tinStr {
			t.Fatalf("decision: %d %v", code, body)
		}
		c.do("GET", "/api/v1/reviews?status=same", "/api/v1/reviews", "")

		// Get with status and history; change; the TIN stays and the history grows.
		code, body = c.do("GET", "/api/v1/taxpayers/"+tinStr, "/api/v1/taxpayers/{tin}", "")
		if code != 200 || body["status"] != "active" {
			t.Fatalf("get: %d %v", code, body)
		}
		code, body = c.do("PATCH", "/api/v1/taxpayers/"+tinStr, "/api/v1/taxpayers/{tin}", `{"surname":"Петрова","note":"marriage"}`)
		if code != 200 || body["tin"] != tinStr || body["person"].(map[string]any)["surname"] != "Петрова" {
			t.Fatalf("patch: %d %v", code, body)
		}
		hist := body["history"].([]any)
		last := hist[len(hist)-1].(map[string]any)
		if last["action"] != "updated" || !strings.Contains(fmt.Sprint(last["fields"]), "Соколова") {
			t.Fatalf("history: %v", hist)
		}
		// Search.
		code, body = c.do("GET", "/api/v1/taxpayers?q=петрова", "/api/v1/taxpayers", "")
		if code != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("search: %d %v", code, body)
		}
		// Organization, KPP, extract.
		code, body = c.do("POST", "/api/v1/organizations", "/api/v1/organizations", `{"full_name":"Общество с ограниченной ответственностью «Вектор»","short_name":"ООО «Вектор»","ogrn":"1027700132195","ground":"creation","tax_office":"7707","registered_on":"2002-07-16","address":{"region":"77","city":"Москва","street":"Тверская","house":"1"}}`)
		if code != 201 {
			t.Fatalf("organization: %d %v", code, body)
		}
		orgTIN := body["tin"].(string)
		code, body = c.do("POST", "/api/v1/taxpayers/"+orgTIN+"/kpp", "/api/v1/taxpayers/{tin}/kpp", `{"ground":"subdivision","tax_office":"7736","subdivision":"Филиал на Ленинском"}`)
		if code != 201 || !strings.HasPrefix(body["kpp"].(string), "7736") {
			t.Fatalf("kpp: %d %v", code, body)
		}
		code, body = c.do("GET", "/api/v1/taxpayers/"+orgTIN+"/extract", "/api/v1/taxpayers/{tin}/extract", "")
		if code != 200 || body["number"] == "" {
			t.Fatalf("extract: %d %v", code, body)
		}
		checkExtract(t, c, orgTIN, body)
		// Foreign organization with a new KIO, then the same KIO reused.
		foreign := `{"identification":{"name_ru":"Акме Корпорейшн","name_latin":"Acme Corporation","country":"США","oksm":"840","reg_number":"DE-12345","address":"1 Main St, Wilmington, DE"},"tax_office":"7702","reason":"51"}`
		code, body = c.do("POST", "/api/v1/foreign-organizations", "/api/v1/foreign-organizations", foreign)
		if code != 201 || !strings.HasPrefix(body["tin"].(string), "9909") {
			t.Fatalf("foreign: %d %v", code, body)
		}
		kio := body["kio"].(map[string]any)["kio"].(string)
		c.do("GET", "/api/v1/kio/"+kio, "/api/v1/kio/{code}", "")
		c.do("GET", "/api/v1/kio?q=Acme", "/api/v1/kio", "")
		c.do("GET", "/api/v1/offices", "/api/v1/offices", "")
		// Duplicate and death: not_applied with a pointer to the kept TIN.
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", strings.NewReplacer("Соколова", "Орлов", "Елена", "Игорь", "Викторовна", "Петрович", "female", "male", "123456", "777777").Replace(person))
		if code != 201 {
			t.Fatalf("second person: %d %v", code, body)
		}
		dupTIN, dupRegistered := body["tin"].(string), body["registered_on"].(string)
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", strings.NewReplacer("Соколова", "Орлов", "Елена", "Игорь", "Викторовна", "Петрович", "female", "male", "4510", "4511", "123456", "888888").Replace(person))
		if code != 202 {
			t.Fatalf("possible duplicate: %d %v", code, body)
		}
		code, body = c.do("POST", fmt.Sprintf("/api/v1/reviews/%d/decision", int64(body["review_id"].(float64))), "/api/v1/reviews/{id}/decision", `{"same_as":""}`)
		if code != 201 {
			t.Fatalf("different person: %d %v", code, body)
		}
		secondTIN := body["tin"].(string)
		code, body = c.do("POST", "/api/v1/taxpayers/"+secondTIN+"/duplicate-of", "/api/v1/taxpayers/{tin}/duplicate-of", `{"kept_tin":"`+dupTIN+`"}`)
		if code != 200 || body["status"] != "not_applied" || body["reason"] != "duplicate" || body["kept_tin"] != dupTIN {
			t.Fatalf("duplicate: %d %v", code, body)
		}
		code, body = c.do("POST", "/api/v1/taxpayers/"+dupTIN+"/deregistration", "/api/v1/taxpayers/{tin}/deregistration", `{"reason":"death","on":"`+dupRegistered+`"}`)
		if code != 200 || body["status"] != "not_applied" || body["reason"] != "death" {
			t.Fatalf("death: %d %v", code, body)
		}
		// Errors: problem+json naming the field and the reason, nothing half-written.
		before := countRows(t, db, "reg_taxpayers")
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", strings.NewReplacer(`"1985-04-12"`, `"1985-02-30"`, `"tax_office":"7736"`, `"tax_office":"77x6"`, `"female"`, `"f"`).Replace(person))
		f := fieldsOf(body)
		if code != 422 || f["birth_date"] == "" {
			t.Fatalf("bad date: %d %v", code, body)
		}
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", strings.NewReplacer(`"tax_office":"7736"`, `"tax_office":"77x6"`, `"female"`, `"f"`, `"123456"`, `"12345"`).Replace(person))
		f = fieldsOf(body)
		if code != 422 || f["tax_office"] == "" || f["sex"] == "" || f["identity_document.number"] == "" {
			t.Fatalf("bad fields: %d %v", code, body)
		}
		code, body = c.do("POST", "/api/v1/persons", "/api/v1/persons", strings.Replace(person, `"surname"`, `"nickname":"x","surname"`, 1))
		if code != 422 || fieldsOf(body)["nickname"] == "" {
			t.Fatalf("unknown field: %d %v", code, body)
		}
		code, _ = c.do("POST", "/api/v1/persons", "/api/v1/persons", `{"surname":"`+strings.Repeat("я", 1<<20)+`"}`)
		if code != 413 {
			t.Fatalf("oversized: %d", code)
		}
		if after := countRows(t, db, "reg_taxpayers"); after != before {
			t.Fatalf("refused requests wrote %d rows", after-before)
		}
		code, body = c.do("GET", "/api/v1/taxpayers/7707083894", "/api/v1/taxpayers/{tin}", "")
		if code != 422 || !strings.Contains(fieldsOf(body)["tin"], "check digit") {
			t.Fatalf("bad TIN: %d %v", code, body)
		}
		code, _ = c.do("GET", "/api/v1/taxpayers/7707083893", "/api/v1/taxpayers/{tin}", "")
		if code != 404 {
			t.Fatalf("unknown TIN: %d", code)
		}
		// Number validation needs no token and gives the parts or the reason.
		code, body = c.do("GET", "/api/v1/numbers/inn/7707083893", "/api/v1/numbers/{kind}/{value}", "", "")
		if code != 200 || body["valid"] != true || body["parts"].(map[string]any)["tax_office"] != "7707" {
			t.Fatalf("number: %d %v", code, body)
		}
		code, body = c.do("GET", "/api/v1/numbers/snils/112-233-445%2096", "/api/v1/numbers/{kind}/{value}", "", "")
		if code != 200 || body["valid"] != false || !strings.Contains(body["error"].(string), "check digit") || body["error_ru"] == "" {
			t.Fatalf("bad number: %d %v", code, body)
		}
		if code, _ := c.do("GET", "/api/v1/numbers/passport/1", "/api/v1/numbers/{kind}/{value}", "", ""); code != 422 {
			t.Fatalf("unknown kind: %d", code)
		}
		// Authentication and roles.
		if code, _ := c.do("GET", "/api/v1/taxpayers/"+tinStr, "/api/v1/taxpayers/{tin}", "", ""); code != 401 {
			t.Fatalf("no token: %d", code)
		}
		if code, _ := c.do("GET", "/api/v1/taxpayers/"+tinStr, "/api/v1/taxpayers/{tin}", "", "kbt_wrongwrongwrongwrongwrongwrong"); code != 401 {
			t.Fatalf("bad token: %d", code)
		}
		oper := c.tokenFor("oper")
		if code, _ := c.do("GET", "/api/v1/taxpayers/"+tinStr, "/api/v1/taxpayers/{tin}", "", oper); code != 200 {
			t.Fatalf("operator read: %d", code)
		}
		if code, _ := c.do("POST", "/api/v1/persons", "/api/v1/persons", person, oper); code != 403 {
			t.Fatalf("operator write: %d", code)
		}
		if code, _ := c.do("GET", "/api/v1/audit", "/api/v1/audit", "", oper); code != 403 {
			t.Fatalf("operator audit: %d", code)
		}
		// The audit log has every write, with who, what and on whose record; no passport numbers.
		code, body = c.do("GET", "/api/v1/audit?subject="+tinStr, "/api/v1/audit", "")
		items := body["items"].([]any)
		if code != 200 || len(items) < 2 {
			t.Fatalf("audit: %d %v", code, body)
		}
		all, _ := db.ListAudit(context.Background(), audit.Filter{Limit: 500})
		for _, e := range all {
			if strings.Contains(e.Details, "123456") || strings.Contains(e.Details, "4510") {
				t.Fatalf("passport data in the audit log: %+v", e)
			}
		}
	})
}

// checkExtract follows an extract issued through the API (REG-9): it names the office in full
// and is kept under its number, whose JSON, PDF and (for an extract issued unsigned) missing
// signature the API answers for; a signature needs a number, and another TIN's number or a
// made-up one is not found.
func checkExtract(t *testing.T, c *client, tin string, body map[string]any) {
	t.Helper()
	number := body["number"].(string)
	office, _ := body["office"].(map[string]any)
	if office["name"] != "Инспекция Федеральной налоговой службы № 7 по г. Москве" || office["address"] == "" || body["issued_by"] != "insp" ||
		body["signed"] != false || !strings.HasSuffix(body["verify_url"].(string), "/verify/extract/"+number) {
		t.Fatalf("extract: %v", body)
	}
	path, tmpl := "/api/v1/taxpayers/"+tin+"/extract", "/api/v1/taxpayers/{tin}/extract"
	code, again := c.do("GET", path+"?number="+number, tmpl, "")
	if code != 200 || again["number"] != number || again["pdf_sha256"] != body["pdf_sha256"] || again["taxpayer"] != nil {
		t.Fatalf("extract by number: %d %v", code, again)
	}
	req, _ := http.NewRequest("GET", c.url+path+"?format=pdf&number="+number, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(pdf)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || hex.EncodeToString(sum[:]) != body["pdf_sha256"] {
		t.Fatalf("stored PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, q := range []struct {
		query string
		code  int
	}{{"?format=p7s&number=" + number, 404}, {"?format=p7s", 422}, {"?number=2026-0000001-AAAAAAAA", 404}, {"?number=x", 404}, {"?format=html&number=" + number, 422}} {
		if code, b := c.do("GET", path+q.query, tmpl, ""); code != q.code {
			t.Errorf("%s: %d %v, want %d", q.query, code, b, q.code)
		}
	}
	if code, b := c.do("GET", "/api/v1/taxpayers/7707083893/extract?number="+number, tmpl, ""); code != 404 {
		t.Errorf("another TIN's extract: %d %v", code, b)
	}
}

package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// kyrgyzPerson is a registration in the Kyrgyz register: the person's own ИНН in tin (TIN-6),
// a УГНС code in tax_office, the Kyrgyz citizen's ID card.
const kyrgyzPerson = `{"tin":"21505199012345","surname":"Үсөнбаев","given_name":"Жеңиш","patronymic":"Өмүрбекович","birth_date":"1990-05-15",
 "birth_place":"г. Бишкек","sex":"male","citizenship":"KGZ","identity_document":{"type":"id_card_kg","series":"ID","number":"1234567","issued_on":"2018-03-01"},
 "ground":"residence","tax_office":"002","address":{"region":"11","postal_code":"720040","city":"Бишкек","street":"проспект Чуй","house":"114","flat":"5"}}`

// checkRequest validates a request body against the OpenAPI document's schema of the operation.
func (c *client) checkRequest(method, pathTemplate, body string) {
	c.t.Helper()
	ptr := fmt.Sprintf("file:///openapi.json#/paths/%s/%s/requestBody/content/application~1json/schema",
		strings.ReplaceAll(pathTemplate, "/", "~1"), strings.ToLower(method))
	sch, err := c.schema.Compile(ptr)
	if err != nil {
		c.t.Fatalf("%s %s: no request schema: %v", method, pathTemplate, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(body)))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		c.t.Fatalf("%s %s: the request does not match the OpenAPI schema: %v\n%s", method, pathTemplate, err, body)
	}
}

// The API contract of the Kyrgyz register (TIN-6, KG-1), every request and answer checked
// against the OpenAPI document: POST /api/v1/persons takes the person's own ИНН in tin and a
// УГНС code and answers that same tin (201, then 200 for the same person); another person's ИНН
// is refused (409), a Russian ИНН too (422, naming the field in both languages); GET
// /api/v1/offices lists the УГНС; an organization records its head and accountant.
func TestKyrgyzAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClientWith(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
		post := func(path, body string) (int, map[string]any) {
			c.t.Helper()
			c.checkRequest("POST", path, body)
			return c.do("POST", path, path, body)
		}
		code, body := c.do("GET", "/api/v1/offices", "/api/v1/offices", "")
		items, _ := body["items"].([]any)
		if code != 200 || len(items) < 25 {
			t.Fatalf("offices: %d %v", code, body)
		}
		names := map[string]string{}
		for _, it := range items {
			o := it.(map[string]any)
			names[o["code"].(string)] = o["name"].(string)
		}
		if names["002"] != "УГНС по Ленинскому району г. Бишкек" || names["001"] == "" || names["006"] != "УГНС по г. Ош" || names["7736"] != "" {
			t.Fatalf("offices: %v", names)
		}

		code, body = post("/api/v1/persons", kyrgyzPerson)
		if code != 201 || body["tin"] != "21505199012345" || body["created"] != true || body["tax_office"] != "002" {
			t.Fatalf("create: %d %v", code, body)
		}
		if p := body["person"].(map[string]any); p["surname"] != "Үсөнбаев" || p["citizenship"] != "KGZ" {
			t.Fatalf("person: %v", p)
		}
		code, body = post("/api/v1/persons", kyrgyzPerson)
		if code != 200 || body["tin"] != "21505199012345" || body["created"] != false {
			t.Fatalf("again: %d %v", code, body)
		}
		code, body = c.do("GET", "/api/v1/taxpayers/21505199012345", "/api/v1/taxpayers/{tin}", "")
		if code != 200 || body["tin"] != "21505199012345" {
			t.Fatalf("get: %d %v", code, body)
		}
		// Another person under the same ИНН: refused.
		other := strings.NewReplacer(`"Жеңиш"`, `"Нурлан"`, `"1234567"`, `"7654321"`).Replace(kyrgyzPerson)
		if code, body = post("/api/v1/persons", other); code != 409 {
			t.Fatalf("another person's ИНН: %d %v", code, body)
		}
		// A Russian ИНН: refused, the field named in Russian and English.
		russian := strings.Replace(kyrgyzPerson, `"tin":"21505199012345"`, `"tin":"500100732259"`, 1)
		code, body = post("/api/v1/persons", russian)
		if f := fieldsOf(body)["tin"]; code != 422 || !strings.Contains(f, "a Russian TIN") || !strings.Contains(f, "российский ИНН") || !strings.Contains(f, "ИНН") {
			t.Fatalf("a Russian ИНН: %d %v", code, body)
		}
		code, body = post("/api/v1/persons", strings.Replace(kyrgyzPerson, `"tax_office":"002"`, `"tax_office":"7736"`, 1))
		if code != 422 || fieldsOf(body)["tax_office"] == "" {
			t.Fatalf("a Russian office code: %d %v", code, body)
		}
		if code, body = c.do("GET", "/api/v1/taxpayers/500100732259", "/api/v1/taxpayers/{tin}", ""); code != 422 {
			t.Fatalf("a Russian ИНН in the address: %d %v", code, body)
		}

		// An organization with its head and accountant (KG-1).
		code, body = post("/api/v1/persons", strings.NewReplacer(`"21505199012345"`, `"10203198500417"`, `"Үсөнбаев"`, `"Төлөгөнова"`, `"Жеңиш"`, `"Айжаңыл"`,
			`"Өмүрбекович"`, `"Бакытовна"`, `"1990-05-15"`, `"1985-03-02"`, `"male"`, `"female"`, `"1234567"`, `"2345678"`).Replace(kyrgyzPerson))
		if code != 201 || body["tin"] != "10203198500417" {
			t.Fatalf("accountant: %d %v", code, body)
		}
		org := `{"tin":"02507199510010","full_name":"Общество с ограниченной ответственностью «Жаңы Таң»","short_name":"ОсОО «Жаңы Таң»","ground":"creation",
		 "tax_office":"003","address":{"region":"11","city":"Бишкек","street":"улица Киевская","house":"96"},"head":{"tin":"21505199012345"},"accountant":{"tin":"10203198500417"}}`
		code, body = post("/api/v1/organizations", org)
		if code != 201 || body["tin"] != "02507199510010" || body["kpps"] != nil {
			t.Fatalf("organization: %d %v", code, body)
		}
		o := body["organization"].(map[string]any)
		if head := o["head"].(map[string]any); head["tin"] != "21505199012345" || head["name"] != "Үсөнбаев Жеңиш Өмүрбекович" || o["registered_on"] != "1995-07-25" ||
			o["accountant"].(map[string]any)["name"] != "Төлөгөнова Айжаңыл Бакытовна" {
			t.Fatalf("signatories: %v", o)
		}
		noHead := strings.Replace(strings.Replace(org, `"02507199510010"`, `"01501200300042"`, 1), `"head":{"tin":"21505199012345"},`, "", 1)
		if code, body = post("/api/v1/organizations", noHead); code != 422 || fieldsOf(body)["head.tin"] == "" {
			t.Fatalf("no head: %d %v", code, body)
		}
		patch := `{"accountant":{"tin":""},"note":"уволена"}`
		c.checkRequest("PATCH", "/api/v1/taxpayers/{tin}", patch)
		if code, body = c.do("PATCH", "/api/v1/taxpayers/02507199510010", "/api/v1/taxpayers/{tin}", patch); code != 200 || body["organization"].(map[string]any)["accountant"] != nil {
			t.Fatalf("accountant removed: %d %v", code, body)
		}
		kpp := `{"ground":"subdivision","tax_office":"002","subdivision":"Филиал"}`
		c.checkRequest("POST", "/api/v1/taxpayers/{tin}/kpp", kpp)
		if code, body = c.do("POST", "/api/v1/taxpayers/02507199510010/kpp", "/api/v1/taxpayers/{tin}/kpp", kpp); code != 409 {
			t.Fatalf("a КПП in Kyrgyzstan: %d %v", code, body)
		}
		code, body = c.do("GET", "/api/v1/taxpayers/02507199510010/extract", "/api/v1/taxpayers/{tin}/extract", "")
		if code != 200 || body["number"] == "" {
			t.Fatalf("extract: %d %v", code, body)
		}
	})
}

// In the Russian register a Kyrgyz ИНН is refused, naming the field in both languages.
func TestKyrgyzTINInRussia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClient(t, db)
		body := strings.Replace(person, `{"surname"`, `{"tin":"21505199012345","surname"`, 1)
		c.checkRequest("POST", "/api/v1/persons", body)
		code, out := c.do("POST", "/api/v1/persons", "/api/v1/persons", body)
		if f := fieldsOf(out)["tin"]; code != 422 || !strings.Contains(f, "Kyrgyz TIN") || !strings.Contains(f, "ИНН Кыргызской Республики") {
			t.Fatalf("a Kyrgyz ИНН in Russia: %d %v", code, out)
		}
		if code, out = c.do("GET", "/api/v1/taxpayers/21505199012345", "/api/v1/taxpayers/{tin}", ""); code != 422 {
			t.Fatalf("a Kyrgyz ИНН in the address: %d %v", code, out)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// `kabinet card issue`: the contract the checks use — one JSON object with login,
// temporary_password and expires_at; --issued-at dates a card carried over (a month from it);
// --office an issuing office; a new card replaces the old one; bad input named, usage refused.
func TestCardIssueCommand(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		ctx := context.Background()
		a, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.Register.RegisterPerson(ctx, audit.Actor{Login: "test", Role: "system"}, register.PersonInput{Surname: "Соколова", GivenName: "Елена",
			Patronymic: "Викторовна", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Sex: register.Female,
			Citizenship: "RUS", Ground: register.GroundResidence, TaxOffice: "7736",
			Document: register.IdentityDocument{Type: "passport_ru", Series: "4505", Number: "123456", IssuedOn: time.Date(2005, 5, 20, 0, 0, 0, 0, time.UTC)},
			Address:  register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "10"}})
		if err != nil || res.Taxpayer == nil {
			t.Fatalf("register: %+v %v", res, err)
		}
		tin := res.Taxpayer.TIN
		type card struct {
			Login             string `json:"login"`
			TemporaryPassword string `json:"temporary_password"`
			ExpiresAt         string `json:"expires_at"`
			Office            string `json:"office"`
			Reissue           bool   `json:"reissue"`
		}
		issue := func(args ...string) (card, int, string) {
			t.Helper()
			code, out, errOut := runCmd(t, "", append([]string{"card", "issue", "--db", dsn}, args...)...)
			var c card
			if code == exitOK {
				if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || json.Unmarshal([]byte(out), &c) != nil {
					t.Fatalf("not one JSON object: %q", out)
				}
			}
			return c, code, errOut
		}
		c, code, errOut := issue("--tin", tin)
		exp, perr := time.Parse(time.RFC3339, c.ExpiresAt)
		if code != exitOK || c.Login != tin || len(c.TemporaryPassword) != 10 || perr != nil || exp.Before(time.Now().AddDate(0, 0, 27)) || c.Office != "7736" || c.Reissue {
			t.Fatalf("issue: %d %+v %s", code, c, errOut)
		}
		// Carried over: a month from the date given; another office; the previous card replaced.
		c2, code, errOut := issue("--tin", tin, "--office", "7707", "--issued-at", "2026-11-02T10:00:00+03:00")
		if code != exitOK || c2.ExpiresAt != "2026-12-02T07:00:00Z" || c2.Office != "7707" || !c2.Reissue || c2.TemporaryPassword == c.TemporaryPassword {
			t.Fatalf("carried over: %d %+v %s", code, c2, errOut)
		}
		acc, err := a.Cabinet.Account(ctx, tin)
		if err != nil || !acc.Temporary {
			t.Fatalf("account %+v %v", acc, err)
		}
		if ok, _ := a.Hasher.Verify(ctx, acc.PasswordHash, c.TemporaryPassword); ok {
			t.Fatal("the previous card's password still works")
		}
		for _, bad := range [][]string{{"--tin", "500100732259"}, {"--tin", "12345"}, {"--tin", tin, "--office", "0000"}} {
			if _, code, errOut := issue(bad...); code != exitFailure || errOut == "" {
				t.Fatalf("%v: %d %s", bad, code, errOut)
			}
		}
		for _, bad := range [][]string{{}, {"--tin", tin, "--issued-at", "yesterday"}, {"--tin", tin, "extra"}} {
			if _, code, _ := issue(bad...); code != exitUsage {
				t.Fatalf("%v: %d, want usage", bad, code)
			}
		}
		if code, _, _ := runCmd(t, "", "card"); code != exitUsage {
			t.Fatalf("no subcommand: %d", code)
		}
	})
}

// serve --demo: the personal account's demo prints a taxpayer's login and temporary password,
// and puts the demo certification centre's citizen (esign.DemoCitizen) in the register under
// her certificate's ИНН, so that her certificate logs in or registers at once (LK-5); run twice,
// it adds nothing.
func TestCabinetDemoSeed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now()
	if err := esign.CreateDemo(dir, now); err != nil {
		t.Fatal(err)
	}
	db, err := openDB(ctx, &dbFlags{dsn: filepath.Join(t.TempDir(), "kabinet.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler), Demo: true,
		Identity: app.Identity{ESignRoots: filepath.Join(dir, "roots"), ESignCRLs: []string{filepath.Join(dir, "demo-ca.crl")}}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out}
	for i := 0; i < 2; i++ {
		if err := seedCabinetDemo(ctx, e, a, dir); err != nil {
			t.Fatal(err)
		}
	}
	// Each start while the card is unused issues a new one: the last printed is the one that works.
	all := regexp.MustCompile(`login (\d{12}), temporary password "([^"]+)"`).FindAllStringSubmatch(out.String(), -1)
	if len(all) != 2 {
		t.Fatalf("output: %s", out.String())
	}
	m := all[1]
	if !strings.Contains(out.String(), "ИНН "+esign.DemoCitizen.INN) || !strings.Contains(out.String(), cabinet.DemoLogin) {
		t.Fatalf("output: %s", out.String())
	}
	if res, err := a.Cabinet.Login(ctx, m[1], m[2], cabinet.Origin{}); err != nil || !res.MustChange {
		t.Fatalf("the printed card: %+v %v", res, err)
	}
	p, err := a.Cabinet.Person(ctx, esign.DemoCitizen.INN)
	if err != nil || p.FullName() != "Смирнова Мария Александровна" || p.SNILS != esign.DemoCitizen.SNILS {
		t.Fatalf("the demo citizen in the register: %+v %v", p, err)
	}
	ch, err := a.Cabinet.IssueChallenge(ctx, "demo-flow")
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := os.ReadFile(filepath.Join(dir, "citizen.key"))
	cb, _ := os.ReadFile(filepath.Join(dir, "citizen.pem"))
	key, err := esign.ParsePrivateKey(kb)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := esign.ParseCertificates(cb)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := esign.SignDetached(ch.Bytes(), certs[0], key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sg, err := a.Cabinet.CheckSignature(ctx, "demo-flow", ch.ID, sig)
	if err != nil || sg.Person.TIN != esign.DemoCitizen.INN || sg.Account != nil {
		t.Fatalf("the demo citizen's signature: %+v %v", sg, err)
	}
}

package register

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// REG-1, REG-3, REG-4: registering individuals — one at a time or in batches — with the check that
// a person has no TIN yet, under any concurrency.

// Sex of a person.
type Sex string

// Sexes.
const (
	Male   Sex = "male"
	Female Sex = "female"
)

// PersonGround is the ground on which an individual is registered (REG-4).
type PersonGround string

// Grounds for individuals (REG-4).
const (
	GroundResidence    PersonGround = "residence"     // place of residence
	GroundStay         PersonGround = "stay"          // place of stay, no residence in RF
	GroundProperty     PersonGround = "property"      // real estate or vehicle, no residence/stay
	GroundIncomeSource PersonGround = "income_source" // payer of income to a foreign citizen or stateless person
	GroundChoice       PersonGround = "choice"        // a citizen's choice with none of the above
)

// PersonInput is what registering an individual takes (REG-3, REG-4).
type PersonInput struct {
	// TIN is the person's own TIN where the register records the TINs taxpayers have (TIN-6:
	// the Kyrgyz ИНН); where it assigns them (REG-1) it is empty.
	TIN         string
	Surname     string
	GivenName   string
	Patronymic  string
	BirthDate   time.Time // a civil date, midnight UTC
	BirthPlace  string
	Sex         Sex
	Citizenship string // ISO 3166 alpha-3; "" for a stateless person
	Document    IdentityDocument
	SNILS       string // optional
	Ground      PersonGround
	TaxOffice   string // the jurisdiction's office code: 4 digits (region + index), 3 for a УГНС
	Address     Address
	// RegisteredOn is the date of the registration with the tax office when it is earlier than
	// the entry (a record carried over from an earlier register); today when zero.
	RegisteredOn time.Time
}

// Person is an individual's data as the register holds it.
type Person struct {
	Surname     string
	GivenName   string
	Patronymic  string
	BirthDate   time.Time
	BirthPlace  string
	Sex         Sex
	Citizenship string
	Documents   []IdentityDocument // the current one first
	SNILS       string
	Ground      PersonGround
	Address     Address
}

// BatchResult is the outcome of one row of RegisterPersons.
type BatchResult struct {
	Result
	Err error // a *problem.Error for a refused row; the other rows are unaffected
}

// pendingPerson is a validated row of a registration batch.
type pendingPerson struct {
	idx      int
	in       PersonInput
	key      string
	nameNorm string
}

// RegisterPerson registers an individual and assigns a TIN (REG-1, REG-4), or returns the TIN the
// person already has (REG-3: Created false), or holds the request for an inspector's review when
// only the name and birth data match (Result.Review set). Where the register records the TINs
// persons have (TIN-6), it records the one the input names instead (person_recorded.go).
func (s *Service) RegisterPerson(ctx context.Context, actor audit.Actor, in PersonInput) (Result, error) {
	out, err := s.RegisterPersons(ctx, actor, []PersonInput{in})
	if err != nil {
		return Result{}, err
	}
	return out[0].Result, out[0].Err
}

// RegisterPersons registers many persons with the same rules as RegisterPerson, committing them
// together (used by the bulk import). Rows refused for bad input get Err and do not stop the others.
// Rows for the same document (or СНИЛС) inside the batch get the same TIN.
func (s *Service) RegisterPersons(ctx context.Context, actor audit.Actor, ins []PersonInput) ([]BatchResult, error) {
	out := make([]BatchResult, len(ins))
	now := s.now()
	valid := make([]bool, len(ins))
	checked := make([]pendingPerson, len(ins))
	// Validation needs no database (but for offices added to the directory): a large batch is
	// checked on every CPU while the database has nothing to do yet.
	err := parallel(len(ins), 512, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			in, fe := s.checkPerson(ins[i], now)
			if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
				return err
			}
			if err := fe.Err(); err != nil {
				out[i].Err = err
				continue
			}
			valid[i] = true
			checked[i] = pendingPerson{idx: i, in: in, key: DocumentKey(in.Document), nameNorm: NormalizeName(in.Surname, in.GivenName, in.Patronymic)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows := make([]pendingPerson, 0, len(ins))
	for i, ok := range valid {
		if ok {
			rows = append(rows, checked[i])
		}
	}
	if len(rows) == 0 {
		return out, nil
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if s.Recorded() { // TIN-6: the persons bring their TINs (person_recorded.go)
			return s.recordPersons(ctx, tx, actor, rows, out, now)
		}
		return s.registerPersons(ctx, tx, actor, rows, out, now, false)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallel runs fn over [0, n) in parts of at least chunk items on up to GOMAXPROCS goroutines
// and returns the first error.
func parallel(n, chunk int, fn func(lo, hi int) error) error {
	parts := max(1, min(runtime.GOMAXPROCS(0), n/chunk))
	var g errgroup.Group
	for p := range parts {
		g.Go(func() error { return fn(p*n/parts, (p+1)*n/parts) })
	}
	return g.Wait()
}

// registerPersons is REG-3 and REG-1 for a batch inside one transaction. skipNameCheck is set when
// an inspector has decided the person is a different one (DecideReview).
func (s *Service) registerPersons(ctx context.Context, tx Tx, actor audit.Actor, rows []pendingPerson, out []BatchResult, now time.Time, skipNameCheck bool) error {
	for _, r := range rows { // a retried transaction starts again from nothing
		out[r.idx] = BatchResult{}
	}
	m, err := match(ctx, tx, rows, out, skipNameCheck) // REG-3
	if err != nil {
		return err
	}
	tins, err := allocatePersonTINs(ctx, tx, rows, m.fresh) // REG-1
	if err != nil {
		return err
	}
	entries, err := s.insertPersons(ctx, tx, actor, rows, m.fresh, tins, out, now)
	if err != nil {
		return err
	}
	held, err := s.insertReviews(ctx, tx, actor, rows, m, tins, out, now)
	if err != nil {
		return err
	}
	entries = append(entries, held...)
	// Rows that repeated an earlier row of the batch get its outcome (not created twice).
	for j, k := range m.follows {
		first := out[rows[k].idx].Result
		out[rows[j].idx].Result = Result{Taxpayer: first.Taxpayer, Review: first.Review}
	}
	if len(entries) > 0 {
		return tx.Audit(ctx, entries...)
	}
	return nil
}

// allocatePersonTINs takes the serials for the fresh rows of a batch, per office, in the
// transaction (REG-1), and returns the TIN of each row.
func allocatePersonTINs(ctx context.Context, tx Tx, rows []pendingPerson, fresh []int) (map[int]string, error) {
	perOffice := map[string][]int{}
	var officeOrder []string
	for _, j := range fresh {
		o := rows[j].in.TaxOffice
		if _, ok := perOffice[o]; !ok {
			officeOrder = append(officeOrder, o)
		}
		perOffice[o] = append(perOffice[o], j)
	}
	tins := map[int]string{}
	for _, o := range officeOrder {
		js := perOffice[o]
		first, err := tx.NextSerials(ctx, scopePerson, o, len(js), 1)
		if err != nil {
			return nil, err
		}
		if first+int64(len(js))-1 > 999999 {
			return nil, problem.New(problem.Conflict, msgSerialsExhausted.With(o))
		}
		for n, j := range js {
			tin, err := newPersonTIN(o, first+int64(n))
			if err != nil {
				return nil, err
			}
			tins[j] = tin
		}
	}
	return tins, nil
}

// insertPersons inserts the fresh rows of a batch with their TINs, answers them in out and
// returns the audit entry of their registration.
func (s *Service) insertPersons(ctx context.Context, tx Tx, actor audit.Actor, rows []pendingPerson, fresh []int, tins map[int]string,
	out []BatchResult, now time.Time) ([]audit.Entry, error) {
	newRows := make([]NewTaxpayer, 0, len(fresh))
	docs := make([]NewDocument, 0, len(fresh))
	created := make([]string, 0, len(fresh))
	at := now.UTC()
	for _, j := range fresh {
		r := rows[j]
		t := personTaxpayer(tins[j], r.in, now)
		newRows = append(newRows, NewTaxpayer{Taxpayer: *t, NameNorm: r.nameNorm, At: at, Actor: actor.Login})
		docs = append(docs, NewDocument{TIN: t.TIN, Key: r.key})
		created = append(created, t.TIN)
		t.History = []Change{{At: at, Actor: actor.Login, Action: "registered"}}
		out[r.idx].Result = Result{Taxpayer: t, Created: true}
	}
	// BO-5: registering a batch is one staff action, with every TIN it assigned as its subjects.
	var entries []audit.Entry
	switch len(created) {
	case 0:
	case 1:
		in := rows[fresh[0]].in
		entries = append(entries, s.entry(actor, "person.register", created[0], "ground="+string(in.Ground)+" office="+in.TaxOffice))
	default:
		offices := map[string]bool{}
		for _, j := range fresh {
			offices[rows[j].in.TaxOffice] = true
		}
		e := s.entry(actor, "person.register", "", fmt.Sprintf("persons=%d offices=%s", len(created), strings.Join(slices.Sorted(maps.Keys(offices)), ",")))
		e.Subjects = created
		entries = append(entries, e)
	}
	if len(newRows) > 0 {
		if err := tx.InsertTaxpayers(ctx, newRows, docs); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// insertReviews holds the rows of a batch that wait for an inspector (REG-3): a review each, with
// its candidates (a candidate that is a row of the batch by the TIN it just got), answered in
// out. It returns their audit entries.
func (s *Service) insertReviews(ctx context.Context, tx Tx, actor audit.Actor, rows []pendingPerson, m *matcher, tins map[int]string,
	out []BatchResult, now time.Time) ([]audit.Entry, error) {
	var entries []audit.Entry
	at := now.UTC()
	for _, j := range m.reviews {
		r := rows[j]
		var cands []string
		for _, c := range m.reviewCands[j] {
			if c.tin == "" {
				c.tin = tins[c.row]
			}
			cands = append(cands, c.tin)
		}
		rv := &Review{Status: ReviewPending, Input: r.in, Candidates: cands, CreatedAt: at, CreatedBy: actor.Login}
		id, err := tx.InsertReview(ctx, rv, r.key)
		if err != nil {
			return nil, err
		}
		rv.ID = id
		entries = append(entries, s.entry(actor, "person.review", fmt.Sprint("review:", id), fmt.Sprintf("candidates=%s", strings.Join(cands, ","))))
		out[r.idx].Result = Result{Review: rv}
	}
	return entries, nil
}

// newPersonTIN builds a 12-digit TIN: office + 6-digit serial + two check digits (TIN-1, TIN-5).
func newPersonTIN(office string, serial int64) (string, error) {
	if serial < 1 || serial > 999999 {
		return "", fmt.Errorf("register: person serial %d out of range at office %s", serial, office)
	}
	return tin.NewIndividualINN(office, int(serial))
}

func personTaxpayer(tin string, in PersonInput, now time.Time) *Taxpayer {
	registeredOn := civil(now)
	if !in.RegisteredOn.IsZero() {
		registeredOn = civil(in.RegisteredOn)
	}
	return &Taxpayer{
		TIN: tin, Kind: KindPerson, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: registeredOn, Version: 1,
		Person: &Person{
			Surname: in.Surname, GivenName: in.GivenName, Patronymic: in.Patronymic, BirthDate: in.BirthDate,
			BirthPlace: in.BirthPlace, Sex: in.Sex, Citizenship: in.Citizenship, Documents: []IdentityDocument{in.Document},
			SNILS: in.SNILS, Ground: in.Ground, Address: in.Address,
		},
	}
}

// mismatch lists the fields of in that differ from the person on record (REG-3).
func mismatch(t *Taxpayer, in *PersonInput) []string {
	if t == nil || t.Person == nil || in == nil {
		return nil
	}
	p := t.Person
	var out []string
	for _, c := range []struct {
		field    string
		old, new string
	}{
		{"surname", NormalizeName(p.Surname), NormalizeName(in.Surname)},
		{"given_name", NormalizeName(p.GivenName), NormalizeName(in.GivenName)},
		{"patronymic", NormalizeName(p.Patronymic), NormalizeName(in.Patronymic)},
		{"birth_date", formatDate(p.BirthDate), formatDate(in.BirthDate)},
		{"sex", string(p.Sex), string(in.Sex)},
		{"snils", p.SNILS, in.SNILS},
	} {
		if c.old != c.new && !(c.field == "snils" && c.new == "") {
			out = append(out, c.field)
		}
	}
	return out
}

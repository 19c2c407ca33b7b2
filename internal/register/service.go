package register

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Options configure a Service.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
}

// Service applies the register's rules over a Store.
type Service struct {
	store Store
	now   func() time.Time

	officesMu     sync.Mutex
	officesLoaded bool
}

// New returns a Service over st.
func New(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{store: storage{st}, now: opt.Now}
}

// Counter scopes (REG-1, REG-8, REG-9). Person and organization serials are per office (the
// prefix); КПП serials per office and reason; КИО and extract numbers have their own counters.
const (
	scopePerson       = "person"
	scopeOrganization = "organization"
	scopeKIO          = "kio"
	scopeKPP          = "kpp:" // + reason
	scopeExtract      = "extract"
)

// КПП reason codes the register assigns by default for each ground (TIN-4, REG-5). 01 is fixed by
// the order (at the organization's location); the others follow the codes the tax service uses
// in practice: 43 for a separate subdivision (branch), 45 for real estate and vehicles, 30 for
// other grounds (e.g. a Russian organization acting as a tax agent). 50 is the first code for a
// foreign organization.
const (
	ReasonLocation    = "01"
	ReasonOther       = "30"
	ReasonSubdivision = "43"
	ReasonProperty    = "45"
	ReasonForeign     = "50"
)

// Messages the rules return.
var (
	msgTaxpayerNotFound = problem.Msg("register.not_found")
	msgReviewNotFound   = problem.Msg("register.review_not_found")
	msgKIONotFound      = problem.Msg("register.kio_not_found")
	msgNotApplied       = problem.Msg("register.not_applied")
	msgWrongKind        = problem.Msg("register.wrong_kind")
	msgReviewDecided    = problem.Msg("register.review_decided")
	msgNotCandidate     = problem.Msg("register.not_candidate")
	msgDocOther         = problem.Msg("register.document_taken")
	msgSNILSTaken       = problem.Msg("register.snils_taken")
	msgOGRNTaken        = problem.Msg("register.ogrn_taken")
	msgKeptSelf         = problem.Msg("register.kept_self")
	msgKeptNotApplied   = problem.Msg("register.kept_not_applied")
	msgKeptKind         = problem.Msg("register.kept_kind")
	msgSameOffice       = problem.Msg("register.same_office")
	msgSerialsExhausted = problem.Msg("register.serials_exhausted")
	msgOfficeExists     = problem.Msg("register.office_exists")
	msgKIOTaken         = problem.Msg("register.kio_taken")
	msgTINFormat        = problem.Msg("register.tin_format")
	msgOffsetMax        = problem.Msg("register.offset_max")
)

// update runs fn in one transaction. When a unique key was taken by a concurrent transaction it
// runs it again from the start: the new attempt sees the winner's row (REG-3 under concurrency).
func (s *Service) update(ctx context.Context, fn func(tx Tx) error) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = s.store.Update(ctx, fn)
		if err == nil || !errors.Is(err, storeerr.ErrKeyTaken) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// LoadOffices puts the embedded directory of tax offices into the store (offices already there
// stay as they are). A server calls it at start; otherwise the first call that needs the
// directory does it.
func (s *Service) LoadOffices(ctx context.Context) error { return s.loadOffices(ctx) }

// loadOffices puts the embedded directory of tax offices into the store once per Service.
func (s *Service) loadOffices(ctx context.Context) error {
	s.officesMu.Lock()
	defer s.officesMu.Unlock()
	if s.officesLoaded {
		return nil
	}
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.InsertOffices(ctx, embeddedOffices) }); err != nil {
		return err
	}
	s.officesLoaded = true
	return nil
}

// officeKnown reports whether code is in the directory (embedded or added).
func (s *Service) officeKnown(ctx context.Context, code string) (bool, error) {
	if _, ok := officeIndex[code]; ok {
		return true, nil
	}
	if err := s.loadOffices(ctx); err != nil {
		return false, err
	}
	_, err := s.store.Office(ctx, code)
	if problem.Is(err, problem.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// checkOffice adds a field error when code is well-formed but unknown.
func (s *Service) checkOffice(ctx context.Context, fe *problem.Fields, field, code string) error {
	if fe.Has(field) || code == "" {
		return nil
	}
	ok, err := s.officeKnown(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		fe.Add(field, msgOfficeUnknown.With(code))
	}
	return nil
}

func (s *Service) entry(actor audit.Actor, action, subject, details string) audit.Entry {
	return audit.Entry{At: s.now().UTC(), Actor: actor, Action: action, Subject: subject, Details: details}
}

func notFound(tin string) error {
	return problem.New(problem.NotFound, msgTaxpayerNotFound.With(tin))
}

// RegisterPerson registers an individual and assigns a TIN (REG-1, REG-4), or returns the TIN the
// person already has (REG-3: Created false), or holds the request for an inspector's review when
// only the name and birth data match (Result.Review set).
func (s *Service) RegisterPerson(ctx context.Context, actor audit.Actor, in PersonInput) (Result, error) {
	out, err := s.RegisterPersons(ctx, actor, []PersonInput{in})
	if err != nil {
		return Result{}, err
	}
	return out[0].Result, out[0].Err
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
			in, fe := validatePerson(ins[i], now)
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
	err = s.update(ctx, func(tx Tx) error {
		for _, r := range rows {
			out[r.idx].Result = Result{}
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
	rows = append([]pendingPerson(nil), rows...) // marks below must not survive a retried transaction
	keys := make([]string, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, r.key)
	}
	// REG-3 lookups for the whole batch at once. The order matters on engines where each statement
	// sees what was committed before it (PostgreSQL's read committed): the weakest evidence (name
	// and birth) is read first and the documents last, so a person committed by a concurrent
	// request in between is found by document rather than taken for a namesake.
	// Namesakes registered at the same time wait for each other here, so that the second one
	// finds the first by name and birth and goes to review instead of getting a second TIN.
	var snilses []string
	names := make([]NameBirth, 0, len(rows))
	for _, r := range rows {
		if r.in.SNILS != "" {
			snilses = append(snilses, r.in.SNILS)
		}
		names = append(names, NameBirth{Name: r.nameNorm, Birth: r.in.BirthDate})
	}
	if err := tx.LockNames(ctx, names); err != nil {
		return err
	}
	var err error
	nameMatches := map[string][]PersonMatch{}
	if !skipNameCheck {
		if nameMatches, err = tx.PersonsByNamesBirths(ctx, names); err != nil {
			return err
		}
	}
	pending, err := tx.PendingReviewsByDocuments(ctx, keys)
	if err != nil {
		return err
	}
	snilsTIN := map[string]string{}
	if len(snilses) > 0 {
		if snilsTIN, err = tx.PersonsBySNILS(ctx, snilses); err != nil {
			return err
		}
	}
	known, err := tx.PersonsByDocuments(ctx, keys)
	if err != nil {
		return err
	}
	byIdx := map[int]*PersonInput{}
	for j := range rows {
		byIdx[rows[j].idx] = &rows[j].in
	}
	ins := func(i int) *PersonInput { return byIdx[i] }
	existing := map[string]*Taxpayer{} // TIN → record, read once
	answerExisting := func(i int, tin string) error {
		t, ok := existing[tin]
		if !ok {
			// REG-7: a duplicate TIN is not applied; the person's kept TIN is.
			t, err = finalKept(ctx, tx, tin)
			if err != nil {
				return err
			}
			existing[tin] = t
		}
		out[i].Result = Result{Taxpayer: t, Mismatch: mismatch(t, ins(i))}
		return nil
	}
	// Inside the batch: the first row with a document, СНИЛС or name wins; later ones follow it.
	byKey := map[string]int{}
	bySNILS := map[string]int{}
	byName := map[string][]int{}
	var fresh []int // indexes into rows of persons that get a new TIN
	var reviews []int
	reviewCands := map[int][]string{}
	for j, r := range rows {
		if tin, ok := known[r.key]; ok { // REG-3: the document is on record
			if err := answerExisting(r.idx, tin); err != nil {
				return err
			}
			continue
		}
		if k, ok := byKey[r.key]; ok {
			rows[j].key = "" // same document earlier in the batch: resolved after insertion
			byKey[fmt.Sprint("#", j)] = k
			continue
		}
		if r.in.SNILS != "" {
			if k, ok := bySNILS[r.in.SNILS]; ok {
				rows[j].key = ""
				byKey[fmt.Sprint("#", j)] = k
				continue
			}
			if tin := snilsTIN[r.in.SNILS]; tin != "" { // REG-3: the СНИЛС is on record
				if err := answerExisting(r.idx, tin); err != nil {
					return err
				}
				continue
			}
		}
		if rv := pending[r.key]; rv != nil {
			out[r.idx].Result = Result{Review: rv}
			continue
		}
		if !skipNameCheck {
			var cands []string
			for _, m := range nameMatches[NameBirth{Name: r.nameNorm, Birth: r.in.BirthDate}.Key()] {
				if m.Status == StatusNotApplied {
					continue
				}
				if m.BirthPlace != "" && r.in.BirthPlace != "" && NormalizeName(m.BirthPlace) != NormalizeName(r.in.BirthPlace) {
					continue
				}
				cands = append(cands, m.TIN)
			}
			nk := r.nameNorm + "|" + r.in.BirthDate.Format(time.DateOnly)
			for _, k := range byName[nk] {
				if o := rows[k].in.BirthPlace; o == "" || r.in.BirthPlace == "" || NormalizeName(o) == NormalizeName(r.in.BirthPlace) {
					cands = append(cands, fmt.Sprint("#", k)) // a row of this batch: its TIN is known after allocation
				}
			}
			if len(cands) > 0 {
				reviewCands[j] = cands
				reviews = append(reviews, j)
				byKey[r.key] = j
				if r.in.SNILS != "" {
					bySNILS[r.in.SNILS] = j
				}
				continue
			}
			byName[nk] = append(byName[nk], j)
		}
		byKey[r.key] = j
		if r.in.SNILS != "" {
			bySNILS[r.in.SNILS] = j
		}
		fresh = append(fresh, j)
	}

	// REG-1: serials for the whole batch, per office, in this transaction.
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
			return err
		}
		if first+int64(len(js))-1 > 999999 {
			return problem.New(problem.Conflict, msgSerialsExhausted.With(o))
		}
		for n, j := range js {
			tin, err := newPersonTIN(o, first+int64(n))
			if err != nil {
				return err
			}
			tins[j] = tin
		}
	}
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
			return err
		}
	}
	for _, j := range reviews {
		r := rows[j]
		var cands []string
		for _, c := range reviewCands[j] {
			if strings.HasPrefix(c, "#") {
				var k int
				fmt.Sscan(c[1:], &k)
				c = tins[k]
			}
			cands = append(cands, c)
		}
		rv := &Review{Status: ReviewPending, Input: r.in, Candidates: cands, CreatedAt: at, CreatedBy: actor.Login}
		id, err := tx.InsertReview(ctx, rv, r.key)
		if err != nil {
			return err
		}
		rv.ID = id
		entries = append(entries, s.entry(actor, "person.review", fmt.Sprint("review:", id), fmt.Sprintf("candidates=%s", strings.Join(cands, ","))))
		out[r.idx].Result = Result{Review: rv}
	}
	// Rows that repeated an earlier row of the batch get its outcome (not created twice).
	for j, r := range rows {
		if r.key != "" {
			continue
		}
		k := byKey[fmt.Sprint("#", j)]
		first := out[rows[k].idx].Result
		out[r.idx].Result = Result{Taxpayer: first.Taxpayer, Review: first.Review}
	}
	if len(entries) > 0 {
		return tx.Audit(ctx, entries...)
	}
	return nil
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

func personTaxpayer(tin string, in PersonInput, now time.Time) *Taxpayer {
	return &Taxpayer{
		TIN: tin, Kind: KindPerson, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1,
		Person: &Person{
			Surname: in.Surname, GivenName: in.GivenName, Patronymic: in.Patronymic, BirthDate: in.BirthDate,
			BirthPlace: in.BirthPlace, Sex: in.Sex, Citizenship: in.Citizenship, Documents: []IdentityDocument{in.Document},
			SNILS: in.SNILS, Ground: in.Ground, Address: in.Address,
		},
	}
}

// resolved reads a record and follows the kept-TIN chain of duplicates (REG-7).
func (s *Service) resolved(ctx context.Context, r Reader, tin string) (*Taxpayer, error) {
	t, err := r.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{t.TIN: true}
	for t.Ending != nil && t.Ending.Reason == EndDuplicate && t.Ending.KeptTIN != "" && !seen[t.Ending.KeptTIN] {
		k, err := r.Taxpayer(ctx, t.Ending.KeptTIN)
		if err != nil {
			return nil, err
		}
		seen[k.TIN] = true
		if k.Status == StatusNotApplied && k.Ending != nil && k.Ending.Reason == EndDuplicate {
			t.Ending.KeptTIN = k.Ending.KeptTIN
			continue
		}
		break
	}
	return t, nil
}

// finalKept follows duplicates from tin to the TIN that is applied.
func finalKept(ctx context.Context, r Reader, tin string) (*Taxpayer, error) {
	seen := map[string]bool{}
	for {
		t, err := r.Taxpayer(ctx, tin)
		if err != nil {
			return nil, err
		}
		if seen[tin] || t.Status != StatusNotApplied || t.Ending == nil || t.Ending.Reason != EndDuplicate || t.Ending.KeptTIN == "" {
			return t, nil
		}
		seen[tin] = true
		tin = t.Ending.KeptTIN
	}
}

// validateOrganization checks a Russian organization's registration (REG-5).
func (s *Service) validateOrganization(ctx context.Context, in OrganizationInput) (OrganizationInput, error) {
	var fe problem.Fields
	in.FullName, in.ShortName = collapse(in.FullName), collapse(in.ShortName)
	checkText(&fe, "full_name", in.FullName, true, 1000)
	checkText(&fe, "short_name", in.ShortName, false, 500)
	in.OGRN = strings.TrimSpace(in.OGRN)
	if in.OGRN == "" {
		fe.Add("ogrn", fieldMsg(msgRequired, "ogrn"))
	} else if _, m, ok := parseOGRN(in.OGRN); !ok {
		fe.Add("ogrn", m)
	}
	switch in.Ground {
	case GroundCreation, GroundReorganization, GroundInternationalCompany:
	case "":
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	default:
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return in, err
		}
	}
	if !in.RegisteredOn.IsZero() {
		if in.RegisteredOn.After(s.now()) {
			fe.Add("registered_on", fieldMsg(msgDateFuture, "registered_on"))
		}
		in.RegisteredOn = civil(in.RegisteredOn)
	}
	checkAddress(&fe, in.Address)
	return in, fe.Err()
}

// RegisterOrganization registers a Russian organization: TIN and the КПП at its location (REG-5).
// An organization whose ОГРН is on record keeps its TIN (Created false).
func (s *Service) RegisterOrganization(ctx context.Context, actor audit.Actor, in OrganizationInput) (Result, error) {
	in, err := s.validateOrganization(ctx, in)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	var res Result
	err = s.update(ctx, func(tx Tx) error {
		res = Result{}
		found, err := tx.Search(ctx, Query{OGRN: in.OGRN, Kind: KindOrganization, Limit: 1})
		if err != nil {
			return err
		}
		if len(found) > 0 {
			t, err := s.resolved(ctx, tx, found[0].TIN)
			res = Result{Taxpayer: t}
			return err
		}
		serial, err := tx.NextSerials(ctx, scopeOrganization, in.TaxOffice, 1, 1)
		if err != nil {
			return err
		}
		tin, err := newOrganizationTIN(in.TaxOffice, serial)
		if err != nil {
			return problem.Wrap(problem.Conflict, msgSerialsExhausted.With(in.TaxOffice), err)
		}
		kpp, err := s.newKPP(ctx, tx, in.TaxOffice, ReasonLocation)
		if err != nil {
			return err
		}
		t := &Taxpayer{TIN: tin, Kind: KindOrganization, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1,
			Organization: &Organization{FullName: in.FullName, ShortName: in.ShortName, OGRN: in.OGRN, Ground: in.Ground, Address: in.Address, RegisteredOn: in.RegisteredOn},
			KPPs:         []KPP{{Code: kpp, Ground: KPPLocation, TaxOffice: in.TaxOffice, Reason: ReasonLocation, Address: in.Address, AssignedOn: civil(now)}},
		}
		if err := tx.InsertTaxpayers(ctx, []NewTaxpayer{{Taxpayer: *t, NameNorm: NormalizeName(in.FullName), At: now.UTC(), Actor: actor.Login}}, nil); err != nil {
			return err
		}
		t.History = []Change{{At: now.UTC(), Actor: actor.Login, Action: "registered"}}
		res = Result{Taxpayer: t, Created: true}
		return tx.Audit(ctx, s.entry(actor, "organization.register", tin, "ground="+string(in.Ground)+" office="+in.TaxOffice+" kpp="+kpp))
	})
	return res, err
}

// newKPP takes the next serial for (office, reason) and builds the КПП (TIN-4).
func (s *Service) newKPP(ctx context.Context, tx Tx, office, reason string) (string, error) {
	serial, err := tx.NextSerials(ctx, scopeKPP+reason, office, 1, 1)
	if err != nil {
		return "", err
	}
	kpp, err := newKPP(office, reason, serial)
	if err != nil {
		return "", problem.Wrap(problem.Conflict, msgSerialsExhausted.With(office), err)
	}
	return kpp, nil
}

// checkReason validates a КПП reason for a Russian (01–50) or foreign (50–99) organization; each
// character may also be a Latin capital letter (TIN-4).
func checkReason(reason string, foreign bool) bool {
	if !validReasonChars(reason) {
		return false
	}
	if !isDigits(reason, 2) {
		return true
	}
	n := int(reason[0]-'0')*10 + int(reason[1]-'0')
	if foreign {
		return n >= 50 && n <= 99
	}
	return n >= 1 && n <= 50
}

func validateKIOInput(fe *problem.Fields, in *KIOInput) {
	in.NameRu, in.NameLatin, in.ShortNameRu = collapse(in.NameRu), collapse(in.NameLatin), collapse(in.ShortNameRu)
	in.Address, in.Country, in.OKSM = collapse(in.Address), collapse(in.Country), strings.TrimSpace(in.OKSM)
	in.RegNumber, in.TaxCode = strings.TrimSpace(in.RegNumber), strings.TrimSpace(in.TaxCode)
	checkText(fe, "identification.name_ru", in.NameRu, true, 1000)
	checkText(fe, "identification.name_latin", in.NameLatin, true, 1000)
	for _, r := range in.NameLatin {
		if r > 0x24F { // Latin letters, digits, punctuation only
			fe.Add("identification.name_latin", fieldMsg(msgOrgName, "identification.name_latin"))
			break
		}
	}
	checkText(fe, "identification.short_name_ru", in.ShortNameRu, false, 500)
	checkText(fe, "identification.address", in.Address, false, 1000)
	checkText(fe, "identification.country", in.Country, true, 200)
	if !isDigits(in.OKSM, 3) {
		fe.Add("identification.oksm", msgOKSM)
	} else if in.OKSM == "643" {
		fe.Add("identification.oksm", problem.Msg("register.oksm_russia"))
	}
	checkText(fe, "identification.reg_number", in.RegNumber, false, 100)
	checkText(fe, "identification.tax_code", in.TaxCode, false, 100)
}

// RegisterForeignOrganization registers a foreign organization: 9909 + КИО + check digit, reusing
// an existing КИО or creating one (TIN-3, REG-8), and a КПП on its ground.
func (s *Service) RegisterForeignOrganization(ctx context.Context, actor audit.Actor, in ForeignOrganizationInput) (Result, error) {
	var fe problem.Fields
	in.KIO = strings.TrimSpace(in.KIO)
	if in.KIO != "" {
		if !isDigits(in.KIO, 5) {
			fe.Add("kio", msgKIOFormat)
		}
	} else {
		validateKIOInput(&fe, &in.Identification)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if in.TaxOffice == "" {
		in.TaxOffice = ForeignOffice
	}
	if checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return Result{}, err
		}
	}
	if in.Reason == "" {
		in.Reason = ReasonForeign
	}
	if !checkReason(in.Reason, true) {
		fe.Add("reason", msgReason)
	}
	checkAddress(&fe, in.Address)
	if err := fe.Err(); err != nil {
		return Result{}, err
	}
	now := s.now()
	var res Result
	err := s.update(ctx, func(tx Tx) error {
		res = Result{}
		var k *KIO
		var err error
		action := "kio.reuse"
		if in.KIO != "" {
			k, err = tx.KIO(ctx, in.KIO)
			if problem.Is(err, problem.NotFound) {
				return problem.InvalidField("kio", msgKIONotFound.With(in.KIO))
			}
			if err != nil {
				return err
			}
		} else if in.Identification.RegNumber != "" {
			if k, err = tx.FindKIO(ctx, in.Identification.OKSM, in.Identification.RegNumber); err != nil {
				return err
			}
		}
		if k == nil { // REG-8: not in the directory: include it and assign a КИО
			serial, err := tx.NextSerials(ctx, scopeKIO, "", 1, 1)
			if err != nil {
				return err
			}
			if serial > 99999 {
				return problem.New(problem.Conflict, msgSerialsExhausted.With(ForeignOffice))
			}
			k = &KIO{Code: fmt.Sprintf("%05d", serial), AssignedOn: civil(now), KIOInput: in.Identification}
			if err := tx.InsertKIO(ctx, k, NormalizeName(k.NameRu)); err != nil {
				return err
			}
			action = "kio.create"
		}
		if k.InvalidOn != nil {
			return problem.InvalidField("kio", problem.Msg("register.kio_invalid"))
		}
		tin, err := newForeignTIN(k.Code)
		if err != nil {
			return err
		}
		if t, err := tx.Taxpayer(ctx, tin); err == nil {
			res = Result{Taxpayer: t}
			return nil
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		kpp, err := s.newKPP(ctx, tx, in.TaxOffice, in.Reason)
		if err != nil {
			return err
		}
		t := &Taxpayer{TIN: tin, Kind: KindForeign, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1, Foreign: k,
			KPPs: []KPP{{Code: kpp, Ground: KPPLocation, TaxOffice: in.TaxOffice, Reason: in.Reason, Address: in.Address, AssignedOn: civil(now)}}}
		if err := tx.InsertTaxpayers(ctx, []NewTaxpayer{{Taxpayer: *t, NameNorm: NormalizeName(k.NameRu), At: now.UTC(), Actor: actor.Login}}, nil); err != nil {
			return err
		}
		t.History = []Change{{At: now.UTC(), Actor: actor.Login, Action: "registered"}}
		res = Result{Taxpayer: t, Created: true}
		return tx.Audit(ctx, s.entry(actor, action, "kio:"+k.Code, ""), s.entry(actor, "foreign.register", tin, "kio="+k.Code+" kpp="+kpp))
	})
	return res, err
}

// AssignKPP registers an organization on a further ground and returns the new КПП (REG-5).
func (s *Service) AssignKPP(ctx context.Context, actor audit.Actor, tin string, in KPPInput) (KPP, error) {
	var fe problem.Fields
	in.TaxOffice, in.Reason, in.Subdivision = strings.TrimSpace(in.TaxOffice), strings.TrimSpace(in.Reason), collapse(in.Subdivision)
	reason := in.Reason
	switch in.Ground {
	case KPPLocation, KPPNewLocation:
		if reason == "" {
			reason = ReasonLocation
		}
	case KPPSubdivision:
		if reason == "" {
			reason = ReasonSubdivision
		}
		if in.Subdivision == "" {
			fe.Add("subdivision", msgSubdivisionReq)
		}
	case KPPProperty:
		if reason == "" {
			reason = ReasonProperty
		}
	case KPPOther:
		if reason == "" {
			reason = ReasonOther
		}
	case "":
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	default:
		fe.Add("ground", msgGround)
	}
	checkText(&fe, "subdivision", in.Subdivision, false, 500)
	if checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return KPP{}, err
		}
	}
	checkAddress(&fe, in.Address)
	if err := fe.Err(); err != nil {
		return KPP{}, err
	}
	now := s.now()
	var k KPP
	err := s.update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Kind == KindPerson {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		r := reason
		if in.Reason == "" && t.Kind == KindForeign {
			r = ReasonForeign
		}
		if !checkReason(r, t.Kind == KindForeign) {
			return problem.InvalidField("reason", msgReason)
		}
		if in.Ground == KPPNewLocation && in.TaxOffice == t.TaxOffice {
			return problem.InvalidField("tax_office", msgSameOffice)
		}
		code, err := s.newKPP(ctx, tx, in.TaxOffice, r)
		if err != nil {
			return err
		}
		k = KPP{Code: code, Ground: in.Ground, TaxOffice: in.TaxOffice, Reason: r, Subdivision: in.Subdivision, Address: in.Address, AssignedOn: civil(now)}
		if err := tx.InsertKPP(ctx, tin, k); err != nil {
			return err
		}
		fields := []FieldChange{{Field: "kpp", New: code}}
		if in.Ground == KPPNewLocation { // the organization moved under another office
			fields = append(fields, FieldChange{Field: "tax_office", Old: t.TaxOffice, New: in.TaxOffice})
			t.TaxOffice = in.TaxOffice
			if t.Organization != nil {
				fields = append(fields, FieldChange{Field: "address", Old: formatAddress(t.Organization.Address), New: formatAddress(in.Address)})
				t.Organization.Address = in.Address
			}
			if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
				return err
			}
		}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "kpp_assigned", Fields: fields, Note: string(in.Ground)}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.kpp_assign", tin, "ground="+string(in.Ground)+" kpp="+code))
	})
	return k, err
}

func nameNormOf(t *Taxpayer) string {
	switch {
	case t.Person != nil:
		return NormalizeName(t.Person.Surname, t.Person.GivenName, t.Person.Patronymic)
	case t.Organization != nil:
		return NormalizeName(t.Organization.FullName)
	case t.Foreign != nil:
		return NormalizeName(t.Foreign.NameRu)
	}
	return ""
}

func formatAddress(a Address) string {
	var parts []string
	for _, p := range []string{a.Country, a.Region, a.PostalCode, a.City, a.Street, a.House, a.Flat, a.Text} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func formatDocument(d IdentityDocument) string {
	return strings.TrimSpace(d.Type + " " + d.Series + " " + d.Number)
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// PersonUpdate changes an individual's data; nil fields stay as they are. The TIN never changes (REG-6).
type PersonUpdate struct {
	Surname, GivenName, Patronymic, BirthPlace, Citizenship, SNILS *string
	BirthDate                                                      *time.Time
	Sex                                                            *Sex
	Address                                                        *Address
	Document                                                       *IdentityDocument // a new current document; the old one stays on record
	TaxOffice                                                      *string           // a move to another office
	Note                                                           string
}

// auditFields lists the changed fields for the audit log, without values of personal data.
func auditFields(fs []FieldChange) string {
	// Only the names of the fields: their values (a passport, a СНИЛС) never enter the log.
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, f.Field)
	}
	return "fields=" + strings.Join(parts, ",")
}

// UpdatePerson changes an individual's data and records the change in the history (REG-6).
func (s *Service) UpdatePerson(ctx context.Context, actor audit.Actor, tin string, u PersonUpdate) (*Taxpayer, error) {
	now := s.now()
	var fe problem.Fields
	trim := func(p *string) {
		if p != nil {
			v := collapse(*p)
			*p = v
		}
	}
	trim(u.Surname)
	trim(u.GivenName)
	trim(u.Patronymic)
	trim(u.BirthPlace)
	if u.Surname != nil {
		checkCyrillicName(&fe, "surname", *u.Surname, true)
	}
	if u.GivenName != nil {
		checkCyrillicName(&fe, "given_name", *u.GivenName, true)
	}
	if u.Patronymic != nil {
		checkCyrillicName(&fe, "patronymic", *u.Patronymic, false)
	}
	if u.BirthPlace != nil {
		checkText(&fe, "birth_place", *u.BirthPlace, false, 300)
	}
	if u.BirthDate != nil {
		checkBirthDate(&fe, *u.BirthDate, now)
		d := civil(*u.BirthDate)
		u.BirthDate = &d
	}
	if u.Sex != nil && *u.Sex != Male && *u.Sex != Female {
		fe.Add("sex", msgSex)
	}
	if u.Citizenship != nil {
		c := strings.TrimSpace(*u.Citizenship)
		u.Citizenship = &c
		if c != "" && !isLatin3(c) {
			fe.Add("citizenship", msgCitizenship)
		}
	}
	if u.SNILS != nil {
		v := strings.TrimSpace(*u.SNILS)
		if v != "" {
			canon, m, ok := parseSNILS(v)
			if !ok {
				fe.Add("snils", m)
			}
			v = canon
		}
		u.SNILS = &v
	}
	if u.Document != nil {
		d := *u.Document
		d.Type, d.Series, d.Number = strings.TrimSpace(d.Type), strings.TrimSpace(d.Series), strings.TrimSpace(d.Number)
		u.Document = &d
		checkDocument(&fe, d)
	}
	if u.TaxOffice != nil {
		o := strings.TrimSpace(*u.TaxOffice)
		u.TaxOffice = &o
		if checkOfficeFormat(&fe, "tax_office", o) {
			if err := s.checkOffice(ctx, &fe, "tax_office", o); err != nil {
				return nil, err
			}
		}
	}
	if u.Address != nil {
		checkAddress(&fe, *u.Address)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *Taxpayer
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Person == nil {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		p := t.Person
		var fs []FieldChange
		set := func(field string, dst *string, v *string) {
			if v != nil && *v != *dst {
				fs = append(fs, FieldChange{Field: field, Old: *dst, New: *v})
				*dst = *v
			}
		}
		set("surname", &p.Surname, u.Surname)
		set("given_name", &p.GivenName, u.GivenName)
		set("patronymic", &p.Patronymic, u.Patronymic)
		set("birth_place", &p.BirthPlace, u.BirthPlace)
		set("citizenship", &p.Citizenship, u.Citizenship)
		set("snils", &p.SNILS, u.SNILS)
		set("tax_office", &t.TaxOffice, u.TaxOffice)
		if u.BirthDate != nil && !u.BirthDate.Equal(p.BirthDate) {
			fs = append(fs, FieldChange{Field: "birth_date", Old: formatDate(p.BirthDate), New: formatDate(*u.BirthDate)})
			p.BirthDate = *u.BirthDate
		}
		if u.Sex != nil && *u.Sex != p.Sex {
			fs = append(fs, FieldChange{Field: "sex", Old: string(p.Sex), New: string(*u.Sex)})
			p.Sex = *u.Sex
		}
		if u.Address != nil && *u.Address != p.Address {
			fs = append(fs, FieldChange{Field: "address", Old: formatAddress(p.Address), New: formatAddress(*u.Address)})
			p.Address = *u.Address
		}
		if u.Document != nil {
			key := DocumentKey(*u.Document)
			holder, err := tx.PersonByDocument(ctx, key)
			if err != nil {
				return err
			}
			switch holder {
			case "":
				old := ""
				if len(p.Documents) > 0 {
					old = formatDocument(p.Documents[0])
				}
				if err := tx.InsertDocument(ctx, NewDocument{TIN: tin, Key: key}); err != nil {
					if errors.Is(err, storeerr.ErrKeyTaken) {
						return problem.InvalidField("identity_document", msgDocOther)
					}
					return err
				}
				fs = append(fs, FieldChange{Field: "identity_document", Old: old, New: formatDocument(*u.Document)})
				p.Documents = append([]IdentityDocument{*u.Document}, p.Documents...)
			case tin: // already on record for this person: nothing changes
			default:
				return &problem.Error{Code: problem.Conflict, Message: msgDocOther, Fields: []problem.FieldError{{Field: "identity_document", Message: msgDocOther}}}
			}
		}
		if len(fs) == 0 {
			out = t
			return nil
		}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			if errors.Is(err, storeerr.ErrKeyTaken) {
				return &problem.Error{Code: problem.Conflict, Message: msgSNILSTaken, Fields: []problem.FieldError{{Field: "snils", Message: msgSNILSTaken}}, Err: err}
			}
			return err
		}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "updated", Fields: fs, Note: u.Note}); err != nil {
			return err
		}
		if err := tx.Audit(ctx, s.entry(actor, "taxpayer.update", tin, auditFields(fs))); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, out.TIN)
}

// OrganizationUpdate changes an organization's data; nil fields stay as they are.
type OrganizationUpdate struct {
	FullName, ShortName, OGRN *string
	Address                   *Address
	Note                      string
}

// UpdateOrganization changes an organization's data and records it in the history (REG-6).
func (s *Service) UpdateOrganization(ctx context.Context, actor audit.Actor, tin string, u OrganizationUpdate) (*Taxpayer, error) {
	var fe problem.Fields
	if u.FullName != nil {
		v := collapse(*u.FullName)
		u.FullName = &v
		checkText(&fe, "full_name", v, true, 1000)
	}
	if u.ShortName != nil {
		v := collapse(*u.ShortName)
		u.ShortName = &v
		checkText(&fe, "short_name", v, false, 500)
	}
	if u.OGRN != nil {
		v := strings.TrimSpace(*u.OGRN)
		u.OGRN = &v
		if _, m, ok := parseOGRN(v); !ok {
			fe.Add("ogrn", m)
		}
	}
	if u.Address != nil {
		checkAddress(&fe, *u.Address)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Organization == nil {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		o := t.Organization
		var fs []FieldChange
		set := func(field string, dst *string, v *string) {
			if v != nil && *v != *dst {
				fs = append(fs, FieldChange{Field: field, Old: *dst, New: *v})
				*dst = *v
			}
		}
		set("full_name", &o.FullName, u.FullName)
		set("short_name", &o.ShortName, u.ShortName)
		set("ogrn", &o.OGRN, u.OGRN)
		if u.Address != nil && *u.Address != o.Address {
			fs = append(fs, FieldChange{Field: "address", Old: formatAddress(o.Address), New: formatAddress(*u.Address)})
			o.Address = *u.Address
		}
		if len(fs) == 0 {
			return nil
		}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			if errors.Is(err, storeerr.ErrKeyTaken) {
				return &problem.Error{Code: problem.Conflict, Message: msgOGRNTaken, Fields: []problem.FieldError{{Field: "ogrn", Message: msgOGRNTaken}}, Err: err}
			}
			return err
		}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "updated", Fields: fs, Note: u.Note}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.update", tin, auditFields(fs)))
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, tin)
}

// stopsApplying says whether an ending stops the TIN being applied for this kind (REG-7), and
// whether the reason applies to the kind at all.
func stopsApplying(k Kind, r EndReason) (stops, ok bool) {
	switch r {
	case EndDeath:
		return true, k == KindPerson
	case EndLiquidation, EndReorganization, EndRedomiciled:
		return true, k != KindPerson
	case EndDuplicate:
		return true, true
	case EndMoved, EndOther:
		return false, true
	}
	return false, false
}

// Deregister ends a registration. Death and liquidation (and reorganization, redomiciliation) stop
// the TIN being applied (REG-7); other reasons keep it applied (REG-6).
func (s *Service) Deregister(ctx context.Context, actor audit.Actor, tin string, e Ending) (*Taxpayer, error) {
	if e.Reason == EndDuplicate {
		return s.MarkDuplicate(ctx, actor, tin, e.KeptTIN, e.Note)
	}
	now := s.now()
	var fe problem.Fields
	if e.On.IsZero() {
		e.On = now
	} else if e.On.After(now) {
		fe.Add("on", problem.Msg("register.end_future"))
	}
	e.On = civil(e.On)
	e.Note = collapse(e.Note)
	checkText(&fe, "note", e.Note, false, 1000)
	if _, ok := stopsApplying(KindPerson, e.Reason); !ok && e.Reason != EndLiquidation && e.Reason != EndReorganization && e.Reason != EndRedomiciled {
		fe.Add("reason", problem.Msg("register.end_reason_unknown"))
	}
	if e.KeptTIN != "" && !validTIN(e.KeptTIN) {
		fe.Add("kept_tin", msgTINFormat)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		stops, ok := stopsApplying(t.Kind, e.Reason)
		if !ok {
			return problem.InvalidField("reason", msgEndReason)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		if e.KeptTIN != "" {
			if e.KeptTIN == tin {
				return problem.InvalidField("kept_tin", msgKeptSelf)
			}
			if _, err := tx.Taxpayer(ctx, e.KeptTIN); problem.Is(err, problem.NotFound) {
				return problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(e.KeptTIN))
			} else if err != nil {
				return err
			}
		}
		old := t.Status
		ending := e
		t.Ending = &ending
		t.Status = StatusDeregistered
		action := "deregistered"
		if stops {
			t.Status = StatusNotApplied
			action = "not_applied"
		}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			return err
		}
		fs := []FieldChange{{Field: "status", Old: string(old), New: string(t.Status)}, {Field: "reason", New: string(e.Reason)}}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: action, Fields: fs, Note: e.Note}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.deregister", tin, "reason="+string(e.Reason)+" status="+string(t.Status)))
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, tin)
}

// MarkDuplicate stops applying duplicateTIN, which then points to keptTIN (REG-7). A kept TIN that
// is itself a duplicate is followed to the TIN that is applied.
func (s *Service) MarkDuplicate(ctx context.Context, actor audit.Actor, duplicateTIN, keptTIN, note string) (*Taxpayer, error) {
	var fe problem.Fields
	if keptTIN == "" {
		fe.Add("kept_tin", fieldMsg(msgRequired, "kept_tin"))
	} else if !validTIN(keptTIN) {
		fe.Add("kept_tin", msgTINFormat)
	} else if keptTIN == duplicateTIN {
		fe.Add("kept_tin", msgKeptSelf)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, duplicateTIN)
		if err != nil {
			return err
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(duplicateTIN))
		}
		kept, err := finalKept(ctx, tx, keptTIN)
		if problem.Is(err, problem.NotFound) {
			return problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(keptTIN))
		} else if err != nil {
			return err
		}
		switch {
		case kept.TIN == duplicateTIN:
			return problem.InvalidField("kept_tin", msgKeptSelf)
		case kept.Status == StatusNotApplied:
			return problem.InvalidField("kept_tin", msgKeptNotApplied)
		case (kept.Kind == KindPerson) != (t.Kind == KindPerson):
			return problem.InvalidField("kept_tin", msgKeptKind)
		}
		old := t.Status
		t.Status = StatusNotApplied
		t.Ending = &Ending{Reason: EndDuplicate, On: civil(now), KeptTIN: kept.TIN, Note: collapse(note)}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			return err
		}
		fs := []FieldChange{{Field: "status", Old: string(old), New: string(StatusNotApplied)}, {Field: "kept_tin", New: kept.TIN}}
		if err := tx.AddChange(ctx, duplicateTIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_of", Fields: fs, Note: t.Ending.Note}); err != nil {
			return err
		}
		if err := tx.AddChange(ctx, kept.TIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_kept", Fields: []FieldChange{{Field: "duplicate_tin", New: duplicateTIN}}}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.duplicate", duplicateTIN, "kept="+kept.TIN))
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, duplicateTIN)
}

// Reviews lists possible-duplicate reviews with the given status (all when empty), oldest first.
func (s *Service) Reviews(ctx context.Context, status ReviewStatus, limit int) ([]Review, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.store.Reviews(ctx, status, limit)
}

// Review returns one review.
func (s *Service) Review(ctx context.Context, id int64) (*Review, error) {
	return s.store.Review(ctx, id)
}

// DecideReview closes a review: sameAs is the TIN of the candidate the person turned out to be
// (that TIN is applied and the new document added to it), or "" for a different person (a new TIN
// is assigned).
func (s *Service) DecideReview(ctx context.Context, actor audit.Actor, id int64, sameAs string) (Result, error) {
	now := s.now()
	var res Result
	err := s.update(ctx, func(tx Tx) error {
		res = Result{}
		rv, err := tx.Review(ctx, id)
		if err != nil {
			return err
		}
		if rv.Status != ReviewPending {
			return problem.New(problem.Conflict, msgReviewDecided)
		}
		at := now.UTC()
		rv.DecidedAt, rv.DecidedBy = &at, actor.Login
		key := DocumentKey(rv.Input.Document)
		if sameAs != "" {
			found := false
			for _, c := range rv.Candidates {
				found = found || c == sameAs
			}
			if !found {
				return problem.InvalidField("same_as", msgNotCandidate.With(sameAs))
			}
			t, err := tx.LockTaxpayer(ctx, sameAs)
			if err != nil {
				return err
			}
			if t.Status == StatusNotApplied {
				return problem.New(problem.Conflict, msgNotApplied.With(sameAs))
			}
			holder, err := tx.PersonByDocument(ctx, key)
			if err != nil {
				return err
			}
			if holder != "" && holder != sameAs {
				return problem.New(problem.Conflict, msgDocOther)
			}
			rv.Status, rv.ResultTIN = ReviewSame, sameAs
			if err := tx.UpdateReview(ctx, rv); err != nil {
				return err
			}
			if holder == "" {
				if err := tx.InsertDocument(ctx, NewDocument{TIN: sameAs, Key: key}); err != nil {
					return err
				}
				if err := tx.AddChange(ctx, sameAs, Change{At: at, Actor: actor.Login, Action: "document_added", Fields: []FieldChange{{Field: "identity_document", New: formatDocument(rv.Input.Document)}}, Note: fmt.Sprint("review ", id)}); err != nil {
					return err
				}
				t.Person.Documents = append([]IdentityDocument{rv.Input.Document}, t.Person.Documents...)
				if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
					return err
				}
			}
			res = Result{Taxpayer: t, Review: rv}
			return tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", id), "decision=same tin="+sameAs))
		}
		rv.Status = ReviewDifferent
		out := make([]BatchResult, 1)
		row := pendingPerson{idx: 0, in: rv.Input, key: key, nameNorm: NormalizeName(rv.Input.Surname, rv.Input.GivenName, rv.Input.Patronymic)}
		// The review is closed first so the registration below does not find it pending.
		if err := tx.UpdateReview(ctx, rv); err != nil {
			return err
		}
		if err := s.registerPersons(ctx, tx, actor, []pendingPerson{row}, out, now, true); err != nil {
			return err
		}
		if out[0].Taxpayer == nil {
			return problem.New(problem.Conflict, msgDocOther)
		}
		rv.ResultTIN = out[0].Taxpayer.TIN
		if err := tx.UpdateReview(ctx, rv); err != nil {
			return err
		}
		res = Result{Taxpayer: out[0].Taxpayer, Created: out[0].Created, Review: rv}
		return tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", id), "decision=different tin="+rv.ResultTIN))
	})
	return res, err
}

// Taxpayer returns the record with its KPPs and history (FindTaxpayerByTIN). A TIN that is not
// applied any more still answers, with its status, reason and the kept TIN (REG-7).
func (s *Service) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tin = strings.TrimSpace(tin)
	if !isDigits(tin, 10) && !isDigits(tin, 12) {
		return nil, notFound(tin)
	}
	return s.resolved(ctx, s.store, tin)
}

// MaxSearchOffset bounds how deep a search may page (a narrower query finds the rest), so that
// no request makes the store hold more than a few thousand rows.
const MaxSearchOffset = 5000

// Search finds taxpayers by a TIN or its prefix, a name prefix (case-insensitive, ё = е), an
// identity document number, ОГРН or КИО, with filters; it uses indexes only.
func (s *Service) Search(ctx context.Context, f SearchFilter) ([]Summary, error) {
	if f.Offset > MaxSearchOffset {
		return nil, problem.InvalidField("offset", msgOffsetMax.With(MaxSearchOffset))
	}
	q := Query{Kind: f.Kind, Status: f.Status, Limit: f.Limit, Offset: f.Offset}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	text := strings.TrimSpace(f.Query)
	compact := normalizeCode(text)
	switch {
	case text == "":
		q.MatchNoText = true
	case digitsOnly(compact):
		if len(compact) <= 12 {
			q.TINPrefix = compact
		}
		if len(compact) == 13 || len(compact) == 15 {
			q.OGRN = compact
		}
		if len(compact) == 5 {
			q.KIO = compact
		}
		q.DocKeys = documentKeys(compact)
	default:
		q.NamePrefix = NormalizeName(text)
		if strings.ContainsAny(compact, "0123456789") {
			q.DocKeys = documentKeys(compact)
		}
	}
	out, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Summary{}
	}
	return out, nil
}

// KIO returns a КИО directory entry.
func (s *Service) KIO(ctx context.Context, code string) (*KIO, error) {
	return s.store.KIO(ctx, strings.TrimSpace(code))
}

// ListKIO lists the КИО directory, filtered by a name or code prefix.
func (s *Service) ListKIO(ctx context.Context, query string, limit int) ([]KIO, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := strings.TrimSpace(query)
	if !digitsOnly(q) {
		q = NormalizeName(q)
	}
	return s.store.ListKIO(ctx, q, limit)
}

// UpdateKIO changes a КИО's identification block by application (REG-8): the code stays, the date
// of change is set, and the change goes into the history of the foreign organization's TIN.
func (s *Service) UpdateKIO(ctx context.Context, actor audit.Actor, code string, in KIOInput) (*KIO, error) {
	var fe problem.Fields
	validateKIOInput(&fe, &in)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var out *KIO
	err := s.store.Update(ctx, func(tx Tx) error {
		k, err := tx.KIO(ctx, code)
		if err != nil {
			return err
		}
		var fs []FieldChange
		cmp := func(field, old, new string) {
			if old != new {
				fs = append(fs, FieldChange{Field: field, Old: old, New: new})
			}
		}
		cmp("name_ru", k.NameRu, in.NameRu)
		cmp("name_latin", k.NameLatin, in.NameLatin)
		cmp("short_name_ru", k.ShortNameRu, in.ShortNameRu)
		cmp("address", k.Address, in.Address)
		cmp("country", k.Country, in.Country)
		cmp("oksm", k.OKSM, in.OKSM)
		cmp("reg_number", k.RegNumber, in.RegNumber)
		cmp("tax_code", k.TaxCode, in.TaxCode)
		out = k
		if len(fs) == 0 {
			return nil
		}
		d := civil(now)
		k.KIOInput, k.ChangedOn = in, &d
		if err := tx.UpdateKIO(ctx, k, NormalizeName(k.NameRu)); err != nil {
			if errors.Is(err, storeerr.ErrKeyTaken) {
				return &problem.Error{Code: problem.Conflict, Message: msgKIOTaken, Fields: []problem.FieldError{{Field: "identification.reg_number", Message: msgKIOTaken}}, Err: err}
			}
			return err
		}
		tin, err := newForeignTIN(k.Code)
		if err != nil {
			return err
		}
		if t, err := tx.LockTaxpayer(ctx, tin); err == nil {
			if err := tx.UpdateTaxpayer(ctx, t, NormalizeName(k.NameRu)); err != nil {
				return err
			}
			if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "kio_changed", Fields: fs}); err != nil {
				return err
			}
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "kio.update", "kio:"+k.Code, auditFields(fs)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Offices lists the tax offices of the directory (embedded reference data plus additions).
func (s *Service) Offices(ctx context.Context) ([]Office, error) {
	if err := s.loadOffices(ctx); err != nil {
		return nil, err
	}
	return s.store.Offices(ctx)
}

// AddOffice extends the directory of tax offices.
func (s *Service) AddOffice(ctx context.Context, actor audit.Actor, o Office) error {
	var fe problem.Fields
	o.Code, o.Name, o.Region = strings.TrimSpace(o.Code), collapse(o.Name), strings.TrimSpace(o.Region)
	if checkOfficeFormat(&fe, "code", o.Code) {
		if o.Region == "" {
			o.Region = o.Code[:2]
		}
		if o.Region != o.Code[:2] {
			fe.Add("region", problem.Msg("register.office_region"))
		} else if _, ok := regionNames[o.Region]; !ok {
			fe.Add("region", msgRegionUnknown.With(o.Region))
		}
	}
	checkText(&fe, "name", o.Name, true, 300)
	if err := fe.Err(); err != nil {
		return err
	}
	if err := s.loadOffices(ctx); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Office(ctx, o.Code); err == nil {
			return &problem.Error{Code: problem.Conflict, Message: msgOfficeExists.With(o.Code), Fields: []problem.FieldError{{Field: "code", Message: msgOfficeExists.With(o.Code)}}}
		} else if !problem.Is(err, problem.NotFound) {
			return err
		}
		if err := tx.InsertOffices(ctx, []Office{o}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "office.add", "office:"+o.Code, "name="+o.Name))
	})
}

// Extract issues an extract confirming the TIN (REG-9); issuing it is recorded in the audit log.
// Extract numbers are unique: "<year>-<7-digit serial>".
func (s *Service) Extract(ctx context.Context, actor audit.Actor, tin string) (*Extract, error) {
	t, err := s.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var e *Extract
	err = s.store.Update(ctx, func(tx Tx) error {
		year := fmt.Sprint(now.Year())
		n, err := tx.NextSerials(ctx, scopeExtract, year, 1, 1)
		if err != nil {
			return err
		}
		e = &Extract{Number: fmt.Sprintf("%s-%07d", year, n), IssuedAt: now, IssuedBy: actor.Login, Taxpayer: t}
		if err := tx.InsertExtract(ctx, e); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.extract", t.TIN, "extract="+e.Number))
	})
	return e, err
}

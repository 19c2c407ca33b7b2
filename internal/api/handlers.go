package api

import (
	"net/http"
	"strconv"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
	"github.com/kabinet/kabinet/tin"
)

// writeRegistration answers a registration: 201 with a new TIN, 200 with an existing one, 202
// when an inspector must decide (REG-3).
func writeRegistration(w http.ResponseWriter, res register.Result) {
	if res.Taxpayer == nil && res.Review != nil {
		web.WriteJSON(w, http.StatusAccepted, reviewOut(res.Review))
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/taxpayers/"+res.Taxpayer.TIN)
	}
	web.WriteJSON(w, status, registrationJSON{taxpayerJSON: taxpayerOut(res.Taxpayer), Created: res.Created, Mismatch: res.Mismatch})
}

func (h *Handler) handlePersonCreate(w http.ResponseWriter, r *http.Request) error {
	var req personRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	var fe problem.Fields
	in := req.input(&fe)
	if err := fe.Err(); err != nil {
		return err
	}
	res, err := h.d.Register.RegisterPerson(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeRegistration(w, res)
	return nil
}

type organizationRequest struct {
	TIN          string      `json:"tin"` // the organization's own TIN where the register records TINs (TIN-6)
	FullName     string      `json:"full_name"`
	ShortName    string      `json:"short_name"`
	OGRN         string      `json:"ogrn"`
	Ground       string      `json:"ground"`
	TaxOffice    string      `json:"tax_office"`
	Address      addressJSON `json:"address"`
	RegisteredOn string      `json:"registered_on"`
	// Head and Accountant are the signatories, by their personal TINs, where the jurisdiction
	// keeps them (KG-1).
	Head       *signatoryJSON `json:"head"`
	Accountant *signatoryJSON `json:"accountant"`
}

func (h *Handler) handleOrganizationCreate(w http.ResponseWriter, r *http.Request) error {
	var req organizationRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	var fe problem.Fields
	in := register.OrganizationInput{TIN: req.TIN, FullName: req.FullName, ShortName: req.ShortName, OGRN: req.OGRN, Ground: register.OrganizationGround(req.Ground),
		TaxOffice: req.TaxOffice, Address: req.Address.address(), RegisteredOn: parseDate(&fe, "registered_on", req.RegisteredOn),
		Head: req.Head.signatory(), Accountant: req.Accountant.signatory()}
	if err := fe.Err(); err != nil {
		return err
	}
	res, err := h.d.Register.RegisterOrganization(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeRegistration(w, res)
	return nil
}

type kioInputJSON struct {
	NameRu      string `json:"name_ru"`
	NameLatin   string `json:"name_latin"`
	ShortNameRu string `json:"short_name_ru"`
	Address     string `json:"address"`
	Country     string `json:"country"`
	OKSM        string `json:"oksm"`
	RegNumber   string `json:"reg_number"`
	TaxCode     string `json:"tax_code"`
}

func (k kioInputJSON) input() register.KIOInput {
	return register.KIOInput{NameRu: k.NameRu, NameLatin: k.NameLatin, ShortNameRu: k.ShortNameRu, Address: k.Address,
		Country: k.Country, OKSM: k.OKSM, RegNumber: k.RegNumber, TaxCode: k.TaxCode}
}

type foreignRequest struct {
	KIO            string       `json:"kio"`
	Identification kioInputJSON `json:"identification"`
	TaxOffice      string       `json:"tax_office"`
	Reason         string       `json:"reason"`
	Address        addressJSON  `json:"address"`
}

func (h *Handler) handleForeignCreate(w http.ResponseWriter, r *http.Request) error {
	var req foreignRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	res, err := h.d.Register.RegisterForeignOrganization(r.Context(), actor(r), register.ForeignOrganizationInput{
		KIO: req.KIO, Identification: req.Identification.input(), TaxOffice: req.TaxOffice, Reason: req.Reason, Address: req.Address.address()})
	if err != nil {
		return err
	}
	writeRegistration(w, res)
	return nil
}

type summaryJSON struct {
	TIN       string `json:"tin"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Name      string `json:"name"`
	TaxOffice string `json:"tax_office"`
	BirthDate string `json:"birth_date,omitempty"`
}

var msgKind = problem.Msg("api.kind")
var msgStatus = problem.Msg("api.status")

func (h *Handler) handleTaxpayerSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var fe problem.Fields
	kind := register.Kind(q.Get("kind"))
	if kind != "" && kind != register.KindPerson && kind != register.KindOrganization && kind != register.KindForeign {
		fe.Add("kind", msgKind)
	}
	status := register.Status(q.Get("status"))
	if status != "" && status != register.StatusActive && status != register.StatusDeregistered && status != register.StatusNotApplied {
		fe.Add("status", msgStatus)
	}
	limit, err := queryInt(r, "limit", 20, 200)
	if err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0, 1<<30)
	if err != nil {
		return err
	}
	if err := fe.Err(); err != nil {
		return err
	}
	list, err := h.d.Register.Search(r.Context(), register.SearchFilter{Query: q.Get("q"), Kind: kind, Status: status, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := []summaryJSON{}
	for _, s := range list {
		out = append(out, summaryJSON{TIN: s.TIN, Kind: string(s.Kind), Status: string(s.Status), Name: s.Name, TaxOffice: s.TaxOffice, BirthDate: datePtr(s.BirthDate)})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out, "limit": limit, "offset": offset})
	return nil
}

func (h *Handler) handleTaxpayerGet(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(r.Context(), t)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, taxpayerOut(tp))
	return nil
}

// updateRequest changes a person's or an organization's data; absent fields stay.
type updateRequest struct {
	Surname          *string        `json:"surname"`
	GivenName        *string        `json:"given_name"`
	Patronymic       *string        `json:"patronymic"`
	BirthDate        *string        `json:"birth_date"`
	BirthPlace       *string        `json:"birth_place"`
	Sex              *string        `json:"sex"`
	Citizenship      *string        `json:"citizenship"`
	SNILS            *string        `json:"snils"`
	IdentityDocument *documentJSON  `json:"identity_document"`
	TaxOffice        *string        `json:"tax_office"`
	Address          *addressJSON   `json:"address"`
	FullName         *string        `json:"full_name"`
	ShortName        *string        `json:"short_name"`
	OGRN             *string        `json:"ogrn"`
	Head             *signatoryJSON `json:"head"`       // KG-1
	Accountant       *signatoryJSON `json:"accountant"` // KG-1: {"tin": ""} removes the accountant
	Note             string         `json:"note"`
}

var msgNotForKind = problem.Msg("api.not_for_kind")

func (h *Handler) handleTaxpayerUpdate(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	var req updateRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	cur, err := h.d.Register.Taxpayer(r.Context(), t)
	if err != nil {
		return err
	}
	var fe problem.Fields
	var tp *register.Taxpayer
	if cur.Kind == register.KindPerson {
		for name, set := range map[string]bool{"full_name": req.FullName != nil, "short_name": req.ShortName != nil, "ogrn": req.OGRN != nil,
			"head": req.Head != nil, "accountant": req.Accountant != nil} {
			if set {
				fe.Add(name, msgNotForKind)
			}
		}
		u := register.PersonUpdate{Surname: req.Surname, GivenName: req.GivenName, Patronymic: req.Patronymic, BirthPlace: req.BirthPlace,
			Citizenship: req.Citizenship, SNILS: req.SNILS, Address: req.Address.addressPtr(), TaxOffice: req.TaxOffice, Note: req.Note}
		if req.BirthDate != nil {
			d := parseDate(&fe, "birth_date", *req.BirthDate)
			u.BirthDate = &d
		}
		if req.Sex != nil {
			s := register.Sex(*req.Sex)
			u.Sex = &s
		}
		if d := req.IdentityDocument; d != nil {
			doc := register.IdentityDocument{Type: d.Type, Series: d.Series, Number: d.Number, IssuedBy: d.IssuedBy, IssuedOn: parseDate(&fe, "identity_document.issued_on", d.IssuedOn)}
			u.Document = &doc
		}
		if err := fe.Err(); err != nil {
			return err
		}
		tp, err = h.d.Register.UpdatePerson(r.Context(), actor(r), t, u)
	} else {
		for name, set := range map[string]bool{"surname": req.Surname != nil, "given_name": req.GivenName != nil, "patronymic": req.Patronymic != nil,
			"birth_date": req.BirthDate != nil, "birth_place": req.BirthPlace != nil, "sex": req.Sex != nil, "citizenship": req.Citizenship != nil,
			"snils": req.SNILS != nil, "identity_document": req.IdentityDocument != nil, "tax_office": req.TaxOffice != nil} {
			if set {
				fe.Add(name, msgNotForKind)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		tp, err = h.d.Register.UpdateOrganization(r.Context(), actor(r), t, register.OrganizationUpdate{FullName: req.FullName, ShortName: req.ShortName, OGRN: req.OGRN,
			Address: req.Address.addressPtr(), Head: req.Head.signatory(), Accountant: req.Accountant.signatory(), Note: req.Note})
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, taxpayerOut(tp))
	return nil
}

type kppRequest struct {
	Ground      string      `json:"ground"`
	TaxOffice   string      `json:"tax_office"`
	Reason      string      `json:"reason"`
	Subdivision string      `json:"subdivision"`
	Address     addressJSON `json:"address"`
}

func (h *Handler) handleKPPCreate(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	var req kppRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	k, err := h.d.Register.AssignKPP(r.Context(), actor(r), t, register.KPPInput{Ground: register.KPPGround(req.Ground), TaxOffice: req.TaxOffice,
		Reason: req.Reason, Subdivision: req.Subdivision, Address: req.Address.address()})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, kppJSON{KPP: k.Code, Ground: string(k.Ground), TaxOffice: k.TaxOffice, Reason: k.Reason,
		Subdivision: k.Subdivision, Address: addressOut(k.Address), AssignedOn: date(k.AssignedOn)})
	return nil
}

type deregisterRequest struct {
	Reason  string `json:"reason"`
	On      string `json:"on"`
	KeptTIN string `json:"kept_tin"`
	Note    string `json:"note"`
}

func (h *Handler) handleDeregister(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	var req deregisterRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	var fe problem.Fields
	on := parseDate(&fe, "on", req.On) // required: the register refuses an ending without its date (REG-6)
	if err := fe.Err(); err != nil {
		return err
	}
	tp, err := h.d.Register.Deregister(r.Context(), actor(r), t, register.Ending{Reason: register.EndReason(req.Reason), On: on, KeptTIN: req.KeptTIN, Note: req.Note})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, taxpayerOut(tp))
	return nil
}

type duplicateRequest struct {
	KeptTIN string `json:"kept_tin"`
	Note    string `json:"note"`
}

func (h *Handler) handleDuplicate(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	var req duplicateRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	tp, err := h.d.Register.MarkDuplicate(r.Context(), actor(r), t, req.KeptTIN, req.Note)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, taxpayerOut(tp))
	return nil
}

// The extract (REG-9) is in extract.go.

var msgReviewStatus = problem.Msg("api.review_status")
var msgID = problem.Msg("api.id")

func (h *Handler) handleReviewList(w http.ResponseWriter, r *http.Request) error {
	st := register.ReviewStatus(r.URL.Query().Get("status"))
	if st != "" && st != register.ReviewPending && st != register.ReviewSame && st != register.ReviewDifferent && st != register.ReviewRefused {
		return problem.InvalidField("status", msgReviewStatus)
	}
	list, err := h.d.Register.Reviews(r.Context(), st, 200)
	if err != nil {
		return err
	}
	out := []reviewJSON{}
	for i := range list {
		out = append(out, reviewOut(&list[i]))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func reviewID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.InvalidField("id", msgID)
	}
	return id, nil
}

func (h *Handler) handleReviewGet(w http.ResponseWriter, r *http.Request) error {
	id, err := reviewID(r)
	if err != nil {
		return err
	}
	rv, err := h.d.Register.Review(r.Context(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, reviewOut(rv))
	return nil
}

// decisionRequest is an inspector's decision on a review (REG-3, BO-3): "same" with same_as (the
// candidate the applicant is), "different" (a new TIN), or "refused" with refusal_reason (no TIN).
// Without a decision, same_as alone decides as before: the same person when given, a different
// one when empty.
type decisionRequest struct {
	Decision      string `json:"decision"`
	SameAs        string `json:"same_as"`
	RefusalReason string `json:"refusal_reason"`
}

var msgDecision = problem.Msg("api.decision")

func (h *Handler) handleReviewDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := reviewID(r)
	if err != nil {
		return err
	}
	var req decisionRequest
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	var fe problem.Fields
	switch req.Decision {
	case "", "same", "different":
		if req.RefusalReason != "" {
			fe.Add("refusal_reason", problem.Msg("api.not_for_decision"))
		}
	case "refused":
		if req.SameAs != "" {
			fe.Add("same_as", problem.Msg("api.not_for_decision"))
		}
	default:
		fe.Add("decision", msgDecision)
	}
	switch {
	case req.Decision == "same" && req.SameAs == "":
		fe.Add("same_as", problem.Msg("api.same_as"))
	case req.Decision == "different" && req.SameAs != "":
		fe.Add("same_as", problem.Msg("api.not_for_decision"))
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if req.Decision == "refused" {
		rv, err := h.d.Register.RefuseReview(r.Context(), actor(r), id, req.RefusalReason)
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, reviewOut(rv))
		return nil
	}
	res, err := h.d.Register.DecideReview(r.Context(), actor(r), id, req.SameAs)
	if err != nil {
		return err
	}
	writeRegistration(w, res)
	return nil
}

func (h *Handler) handleKIOList(w http.ResponseWriter, r *http.Request) error {
	list, err := h.d.Register.ListKIO(r.Context(), r.URL.Query().Get("q"), 100)
	if err != nil {
		return err
	}
	out := []*kioJSON{}
	for i := range list {
		out = append(out, kioOut(&list[i]))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (h *Handler) handleKIOGet(w http.ResponseWriter, r *http.Request) error {
	k, err := h.d.Register.KIO(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, kioOut(k))
	return nil
}

func (h *Handler) handleKIOUpdate(w http.ResponseWriter, r *http.Request) error {
	var req kioInputJSON
	if err := web.DecodeJSON(w, r, &req, 0); err != nil {
		return err
	}
	k, err := h.d.Register.UpdateKIO(r.Context(), actor(r), r.PathValue("code"), req.input())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, kioOut(k))
	return nil
}

func (h *Handler) handleOffices(w http.ResponseWriter, r *http.Request) error {
	list, err := h.d.Register.Offices(r.Context())
	if err != nil {
		return err
	}
	type officeJSON struct {
		Code   string `json:"code"`
		Name   string `json:"name"`
		Region string `json:"region"`
	}
	out := []officeJSON{}
	for _, o := range list {
		out = append(out, officeJSON{o.Code, o.Name, o.Region})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// handleAudit lists the audit log (BO-5), newest first, a page at a time: filtered by staff
// member (actor: part of a login or name, in any case), record (subject), action and a range of
// whole days in Moscow time (from, to); next is the before of the next page, null on the last.
func (h *Handler) handleAudit(w http.ResponseWriter, r *http.Request) error {
	if !member(r).Role.CanReadAudit() {
		return problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	q := r.URL.Query()
	f, err := audit.Query{Actor: q.Get("actor"), Subject: q.Get("subject"), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to"),
		Before: q.Get("before"), Limit: q.Get("limit")}.Filter(web.LocaleOf(r.Context()).Zone(), 100)
	if err != nil {
		return err
	}
	page, err := audit.Read(r.Context(), h.d.Audit, f)
	if err != nil {
		return err
	}
	type entryJSON struct {
		ID        int64  `json:"id"`
		At        string `json:"at"`
		Actor     string `json:"actor"`
		ActorName string `json:"actor_name,omitempty"`
		Role      string `json:"role"`
		Action    string `json:"action"`
		Subject   string `json:"subject"`
		Count     int    `json:"count"` // records the action was on: more than 1 for a batch
		Details   string `json:"details"`
		Remote    string `json:"remote_addr,omitempty"`
	}
	out := []entryJSON{}
	for _, e := range page.Entries {
		out = append(out, entryJSON{e.ID, e.At.UTC().Format("2006-01-02T15:04:05Z07:00"), e.Actor.Login, e.Actor.Name, e.Actor.Role, e.Action, e.Subject, e.Count,
			e.Details, e.Actor.RemoteAddr})
	}
	var next *int64
	if page.Next > 0 {
		next = &page.Next
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"items": out, "limit": f.Limit, "next": next})
	return nil
}

var msgNumberKind = problem.Msg("api.number_kind")

// handleNumberValidate validates one number, like `kabinet tin validate --json`; it needs no
// token, as it reads no register data. An invalid number is a 200 answer with valid false and the
// reason in both languages.
func (h *Handler) handleNumberValidate(w http.ResponseWriter, r *http.Request) {
	kind, value := r.PathValue("kind"), r.PathValue("value")
	if !tin.KnownKind(kind) {
		web.WriteProblem(w, r, h.d.Log, problem.InvalidField("kind", msgNumberKind))
		return
	}
	out := map[string]any{"input": value, "kind": kind, "valid": true, "error": "", "parts": map[string]string{}}
	parts, err := tin.Validate(kind, value)
	if err != nil {
		out["valid"] = false
		m := problem.Number(err)
		out["error"] = m.In("en")
		out["error_ru"] = m.In("ru")
		if te, ok := err.(*tin.Error); ok {
			out["code"] = te.Code
		}
	} else {
		out["parts"] = parts
	}
	web.WriteJSON(w, http.StatusOK, out)
}

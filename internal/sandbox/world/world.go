// Package world is the sandbox's seed: one organisation with its tenant, its technicians (who are at
// once Entra ID users, Dataverse system users and Rescue technicians), its customers and its cases.
//
// The data is deterministic: the same call to New gives the same GUIDs, names and case numbers, with
// dates placed relative to the time it is given, so screenshots and goldens stay stable. It is meant to
// look real: French and English names with accents and apostrophes, a customer without an e-mail, a
// 200-character title, and cases in every state and status reason.
//
// The three technicians own 42 cases between them; four colleagues own 120 more, so that the
// organisation's open cases run to more than one page of 100, as the crosscheck clients expect.
//
// A World is read-only after New. Each fake copies what it serves into its own tables, so that the
// fakes stay independent of one another, as the real services are.
package world

import (
	"crypto/sha1"
	"fmt"
	"time"
)

// Org is the organisation: its Entra tenant, its Dataverse environment and its Rescue company.
type Org struct {
	TenantID        string // Entra tenant GUID
	TenantDomain    string // e.g. contoso-helpdesk.example
	OrganizationID  string // Dataverse organisation GUID (WhoAmI)
	BusinessUnitID  string // Dataverse root business unit GUID (WhoAmI)
	RescueCompanyID int    // Rescue company ID, for requestAuthCodeSSO
	SSOPassword     string // the company's master SSO password, for requestAuthCodeSSO
}

// Technician is one person in three services at once.
type Technician struct {
	Key          string // short handle used by the control surface: "camille", "jordan", "priya"
	Name         string // display name, e.g. "Camille Lefèvre"
	Email        string // UPN in Entra, primary e-mail in Dataverse, login in Rescue
	Password     string // Rescue password (sandbox only)
	SSOID        string // Rescue SSO ID
	Language     string // two-letter account language in Rescue: "en" or "fr"
	EntraOID     string // Entra object ID (id_token oid, client_info uid)
	SystemUserID string // Dataverse systemuserid: a different GUID from EntraOID, as in real Dataverse
	RescueNodeID int    // Rescue node ID of the technician (getUser_v3 NODEID, getSession_v3 Technician ID)
	Description  string // Rescue DESCRIPTION
}

// Colleague is a Dataverse user of the helpdesk who is not a Rescue technician of the sandbox: the
// rest of the team, who own the rest of the queue. They make the organisation's case list longer
// than one page, as a real one is.
type Colleague struct {
	Name         string
	Email        string
	SystemUserID string
}

// Account is a Dataverse account (a company customer).
type Account struct {
	ID    string
	Name  string
	Email string // emailaddress1; may be empty
}

// Contact is a Dataverse contact (a person customer).
type Contact struct {
	ID        string
	FirstName string
	LastName  string
	FullName  string
	Email     string // emailaddress1; may be empty
	AccountID string // parentcustomerid (account), may be empty
}

// Customer kinds, as Dataverse's lookuplogicalname annotation names them.
const (
	CustomerAccount = "account"
	CustomerContact = "contact"
)

// Case is a Dataverse incident.
type Case struct {
	ID           string // incidentid
	Number       string // ticketnumber, e.g. CAS-01003-K8Q2R7
	Title        string
	Description  string
	StateCode    int // 0 Active, 1 Resolved, 2 Canceled
	StatusCode   int // see StatusLabels
	PriorityCode int // 1 High, 2 Normal, 3 Low
	CustomerType string
	CustomerID   string
	OwnerID      string // systemuserid of the owning technician
	CreatedOn    time.Time
	ModifiedOn   time.Time
}

// StateLabels are the English labels of incident statecode.
var StateLabels = map[int]string{0: "Active", 1: "Resolved", 2: "Canceled"}

// StatusLabels are the English labels of incident statuscode (Status Reason).
var StatusLabels = map[int]string{
	1: "In Progress", 2: "On Hold", 3: "Waiting for Details", 4: "Researching",
	5: "Problem Solved", 1000: "Information Provided",
	6: "Cancelled", 2000: "Merged",
}

// PriorityLabels are the English labels of incident prioritycode.
var PriorityLabels = map[int]string{1: "High", 2: "Normal", 3: "Low"}

// StateOfStatus gives the statecode a statuscode belongs to.
var StateOfStatus = map[int]int{1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 1000: 1, 6: 2, 2000: 2}

// World is the seed.
type World struct {
	Org         Org
	Technicians []Technician
	Colleagues  []Colleague
	Accounts    []Account
	Contacts    []Contact
	Cases       []Case
}

// GUID derives a stable, well-formed GUID from a name, so the seed is the same on every run.
func GUID(name string) string {
	h := sha1.Sum([]byte("rescue-companion-sandbox:" + name))
	h[6] = (h[6] & 0x0f) | 0x50 // version 5
	h[8] = (h[8] & 0x3f) | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Technician returns the technician with the given key, e-mail (case-insensitive), SSO ID, Entra object
// ID, system user ID or node ID (as a decimal string).
func (w *World) Technician(id string) (Technician, bool) {
	for _, t := range w.Technicians {
		if id == t.Key || equalFold(id, t.Email) || id == t.SSOID || equalFold(id, t.EntraOID) ||
			equalFold(id, t.SystemUserID) || id == fmt.Sprint(t.RescueNodeID) {
			return t, true
		}
	}
	return Technician{}, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

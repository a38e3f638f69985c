package world

import (
	"fmt"
	"strings"
	"time"
)

// New builds the seed. Dates are placed before now, at fixed offsets.
func New(now time.Time) *World {
	now = now.UTC().Truncate(time.Second)
	w := &World{
		Org: Org{
			TenantID:        GUID("tenant"),
			TenantDomain:    "contoso-helpdesk.example",
			OrganizationID:  GUID("organization"),
			BusinessUnitID:  GUID("business-unit"),
			RescueCompanyID: 1482207,
			SSOPassword:     "sandbox-sso-master",
		},
	}
	w.Technicians = seedTechnicians(w.Org.TenantDomain)
	w.Accounts, w.Contacts = seedCustomers()
	w.Colleagues = seedColleagues(w.Org.TenantDomain)
	w.Cases = append(seedCases(w, now), seedQueue(w, now)...)
	return w
}

func seedTechnicians(domain string) []Technician {
	people := []struct {
		key, name, lang, descr string
		node                   int
	}{
		{"camille", "Camille Lefèvre", "fr", "Support niveau 2 – Lyon", 4310021},
		{"jordan", "Jordan O'Neill", "en", "Service desk, Dublin", 4310022},
		{"priya", "Priya Natarajan", "en", "Field support lead", 4310023},
	}
	techs := make([]Technician, 0, len(people))
	for _, p := range people {
		techs = append(techs, Technician{
			Key:          p.key,
			Name:         p.name,
			Email:        p.key + "@" + domain,
			Password:     "sandbox-" + p.key,
			SSOID:        "sso-" + p.key,
			Language:     p.lang,
			EntraOID:     GUID("entra-oid:" + p.key),
			SystemUserID: GUID("systemuser:" + p.key),
			RescueNodeID: p.node,
			Description:  p.descr,
		})
	}
	return techs
}

func seedCustomers() ([]Account, []Contact) {
	accounts := []Account{
		{Name: "Boulangerie L'Étoile d'Or", Email: "contact@etoile-dor.example"},
		{Name: "Contoso Pharmaceuticals", Email: "it@contoso-pharma.example"},
		{Name: "Fabrikam, Inc.", Email: "helpdesk@fabrikam.example"},
		{Name: "Hôtel Château-Neuf", Email: "reception@chateau-neuf.example"},
		{Name: "Northwind Traders", Email: ""},
		{Name: "O'Brien & Sons Plumbing", Email: "office@obrien-sons.example"},
	}
	for i := range accounts {
		accounts[i].ID = GUID("account:" + accounts[i].Name)
	}
	people := []struct{ first, last, email string }{
		{"Zoë", "O'Connor", "zoe.oconnor@fabrikam.example"},
		{"François", "Dubois-Lévesque", "f.dubois@etoile-dor.example"},
		{"Åsa", "Lindström", "asa.lindstrom@northwind.example"},
		{"José", "García", "jose.garcia@contoso-pharma.example"},
		{"Mary-Kate", "D'Arcy", "mk.darcy@obrien-sons.example"},
		{"Hélène", "Côté", "helene.cote@chateau-neuf.example"},
		{"Nguyễn", "Thị Hương", "huong.nguyen@fabrikam.example"},
		{"Grégoire", "N'Diaye", ""}, // the customer without an e-mail
		{"Aoife", "Ní Bhriain", "aoife.nibhriain@contoso-pharma.example"},
		{"Jean-Luc", "Mélenchon-Petit", "jl.petit@chateau-neuf.example"},
	}
	contacts := make([]Contact, 0, len(people))
	for i, p := range people {
		full := p.first + " " + p.last
		contacts = append(contacts, Contact{
			ID:        GUID("contact:" + full),
			FirstName: p.first,
			LastName:  p.last,
			FullName:  full,
			Email:     p.email,
			AccountID: accounts[i%len(accounts)].ID,
		})
	}
	return accounts, contacts
}

// caseTitles are realistic helpdesk case titles; one is exactly 200 characters long.
var caseTitles = []string{
	"VPN drops every 10 minutes on the home network",
	"Outlook keeps asking for the password after the update",
	"Imprimante de l'accueil hors ligne depuis lundi",
	"New starter laptop: install the finance tools",
	"Écran noir au démarrage après la mise à jour Windows",
	"Teams camera not detected in meetings",
	"Can't open the shared drive \\\\fs01\\compta",
	"Réinitialisation du mot de passe du compte d'O'Brien",
	"Slow boot, disk at 100% for the first 15 minutes",
	"Caisse enregistreuse : le lecteur de cartes ne répond plus",
	"OneDrive sync stuck on \"Processing changes\"",
	"Wi-Fi des chambres : portail captif inaccessible",
	"BitLocker recovery key requested at every start",
	"Excel macro fails with run-time error '1004'",
	"Logiciel de réservation : erreur « accès refusé »",
	"Docking station does not drive the second monitor",
	"Scanner to e-mail stopped working after password change",
	"Mise à jour du pilote de la balance connectée",
	"Remote desktop to the warehouse PC times out",
	"Antivirus flags the label printer's driver",
}

// longTitle is exactly 200 characters, the maximum of incident.title.
func longTitle() string {
	s := "Intermittent failure of the point-of-sale terminals in all three shops when the card reader, the receipt " +
		"printer and the VPN client are used at once during the Saturday morning rush – needs a remote session"
	if len([]rune(s)) < 200 {
		s += strings.Repeat(".", 200-len([]rune(s)))
	}
	return string([]rune(s)[:200])
}

// statusCycle puts cases in every status reason, most of them open.
var statusCycle = []int{1, 1, 2, 1, 3, 1, 4, 1, 5, 1, 1000, 2, 6, 1, 3, 2000, 1, 4, 1, 2}

func seedCases(w *World, now time.Time) []Case {
	const n = 42
	cases := make([]Case, 0, n)
	for i := 0; i < n; i++ {
		title := caseTitles[i%len(caseTitles)]
		if i == 7 {
			title = longTitle()
		}
		status := statusCycle[i%len(statusCycle)]
		c := Case{
			ID:           GUID(fmt.Sprintf("incident:%d", i)),
			Number:       fmt.Sprintf("CAS-%05d-%s", 1001+i, suffix(i)),
			Title:        title,
			Description:  description(title, i),
			StateCode:    StateOfStatus[status],
			StatusCode:   status,
			PriorityCode: 1 + (i/3)%3, // i/3, not i: owners take every third case, and each must see every priority
			OwnerID:      w.Technicians[i%len(w.Technicians)].SystemUserID,
			CreatedOn:    now.Add(-time.Duration(30*24-i*13) * time.Hour),
		}
		c.ModifiedOn = c.CreatedOn.Add(time.Duration(2+(i*37)%200) * time.Hour)
		if c.ModifiedOn.After(now) {
			c.ModifiedOn = now.Add(-time.Duration(i+1) * time.Minute)
		}
		if (i/3)%3 == 1 { // every technician has some company customers
			a := w.Accounts[i%len(w.Accounts)]
			c.CustomerType, c.CustomerID = CustomerAccount, a.ID
		} else {
			ct := w.Contacts[i%len(w.Contacts)]
			c.CustomerType, c.CustomerID = CustomerContact, ct.ID
		}
		cases = append(cases, c)
	}
	return cases
}

// suffix gives the six-character tail of a case number (Dataverse's auto-number looks like CAS-01234-A1B2C3).
func suffix(i int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	h := GUID(fmt.Sprintf("suffix:%d", i))
	out := make([]byte, 6)
	for j := range out {
		out[j] = alphabet[int(h[j])%len(alphabet)]
	}
	return string(out)
}

func description(title string, i int) string {
	if i%5 == 4 {
		return "" // some cases have no description, as in real life
	}
	return "Reported by phone. " + title + ".\nCustomer tried restarting; issue persists. Remote session needed."
}

func seedColleagues(domain string) []Colleague {
	names := []struct{ key, name string }{
		{"sebastien", "Sébastien Moreau"},
		{"aisling", "Aisling Byrne"},
		{"marco", "Marco Rossi"},
		{"fatoumata", "Fatoumata Diallo"},
	}
	out := make([]Colleague, 0, len(names))
	for _, n := range names {
		out = append(out, Colleague{Name: n.name, Email: n.key + "@" + domain, SystemUserID: GUID("systemuser:" + n.key)})
	}
	return out
}

// seedQueue is the rest of the team's queue: mostly open cases, owned by the colleagues.
func seedQueue(w *World, now time.Time) []Case {
	const n = 120
	cases := make([]Case, 0, n)
	for i := 0; i < n; i++ {
		status := 1 + i%4 // the four open status reasons
		if i%12 == 11 {
			status = 5 // a few solved ones
		}
		c := Case{
			ID:           GUID(fmt.Sprintf("queue-incident:%d", i)),
			Number:       fmt.Sprintf("CAS-%05d-%s", 2001+i, suffix(1000+i)),
			Title:        caseTitles[(i*7)%len(caseTitles)],
			StateCode:    StateOfStatus[status],
			StatusCode:   status,
			PriorityCode: 1 + (i*5)%3,
			OwnerID:      w.Colleagues[i%len(w.Colleagues)].SystemUserID,
			CreatedOn:    now.Add(-time.Duration(40*24-i*7) * time.Hour),
		}
		c.Description = description(c.Title, i)
		c.ModifiedOn = c.CreatedOn.Add(time.Duration(1+(i*29)%90) * time.Hour)
		if c.ModifiedOn.After(now) {
			c.ModifiedOn = now.Add(-time.Duration(2*i+3) * time.Minute)
		}
		ct := w.Contacts[(i*3)%len(w.Contacts)]
		c.CustomerType, c.CustomerID = CustomerContact, ct.ID
		if i%4 == 1 {
			a := w.Accounts[i%len(w.Accounts)]
			c.CustomerType, c.CustomerID = CustomerAccount, a.ID
		}
		cases = append(cases, c)
	}
	return cases
}

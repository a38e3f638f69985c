package rescue

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

// device is the simulated customer's computer, derived from the session ID so it stays stable.
type device struct {
	platform   string
	hostName   string
	customerIP string
}

var platforms = []string{"Windows 11", "Windows 10", "Windows 11", "macOS 14.6", "Windows 11"}

func deviceFor(id int) device {
	p := platforms[id%len(platforms)]
	host := "DESKTOP-" + strings.ToUpper(strconv.FormatInt(int64(id)*7919%60466176, 36))
	if strings.HasPrefix(p, "macOS") {
		host = fmt.Sprintf("MacBook-Pro-%d", id%90+10)
	}
	return device{platform: p, hostName: host, customerIP: fmt.Sprintf("203.0.113.%d", 10+id%200)}
}

// line is one scripted chat line: who says it, when (a fraction of the active span), and its text
// in English and French. {c} is the customer's first name and {t} the technician's.
type line struct {
	byTech bool
	at     float64
	en, fr string
}

var chatScript = []line{
	{
		true, 0.05, "Hi {c}, this is {t} from the service desk. Thanks for waiting.",
		"Bonjour {c}, ici {t} du support. Merci d'avoir patienté.",
	},
	{
		false, 0.15, "Hi, thanks. It's the problem I reported on the phone this morning.",
		"Bonjour, merci. C'est le problème que j'ai signalé ce matin au téléphone.",
	},
	{
		true, 0.25, "I'm asking for remote control now: please click Allow when the prompt appears.",
		"Je demande le contrôle à distance : cliquez sur « Autoriser » quand la fenêtre s'affiche.",
	},
	{false, 0.35, "Done, I clicked Allow.", "C'est fait, j'ai cliqué sur Autoriser."},
	{
		true, 0.5, "Thanks. I've cleared the cached credentials and restarted the app; can you try again?",
		"Merci. J'ai vidé le cache des identifiants et relancé l'application ; pouvez-vous réessayer ?",
	},
	{false, 0.7, "It works now, thank you so much!", "Ça marche maintenant, merci beaucoup !"},
	{
		true, 0.85, "Great! I'll add notes to your case and close the session. Have a good day.",
		"Parfait ! J'ajoute une note au dossier et je ferme la session. Bonne journée.",
	},
}

// The technician's note is typed in a Windows text box, hence CRLF between its lines.
var noteScript = struct {
	at     float64
	en, fr string
}{
	0.6,
	"Remote control granted by the customer.\r\nCleared cached credentials and restarted the application; customer confirmed the fix.",
	"Contrôle à distance accordé par le client.\r\nIdentifiants en cache effacés et application relancée ; le client confirme que c'est réglé.",
}

// conversation schedules a session's chat and note over the active span starting at from.
func conversation(ss *session, from time.Time, span time.Duration) ([]ChatLine, string, time.Time) {
	fr := ss.tech.Language == "fr"
	customer := ss.fields[0]
	if customer == "" {
		customer = map[bool]string{false: "Customer", true: "Client"}[fr]
	}
	fill := strings.NewReplacer("{c}", firstWord(customer), "{t}", firstWord(ss.tech.Name))
	at := func(f float64) time.Time { return from.Add(time.Duration(f * float64(span))) }
	chat := make([]ChatLine, 0, len(chatScript))
	for _, l := range chatScript {
		text, who := l.en, customer
		if fr {
			text = l.fr
		}
		if l.byTech {
			who = ss.tech.Name
		}
		chat = append(chat, ChatLine{At: at(l.at), From: who, Text: fill.Replace(text)})
	}
	note := noteScript.en
	if fr {
		note = noteScript.fr
	}
	return chat, note, at(noteScript.at)
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// historySize is how many finished sessions of the past week a new server starts with, so that
// reports and "recent sessions" have something to show.
const historySize = 14

// seedHistory records finished sessions spread over the week before now, for every technician:
// most closed by the technician and linked to one of their cases through tracking0, some closed by
// the customer, one never picked up, and some that never reached a case (no tracking0).
func (s *Server) seedHistory(w *world.World, now time.Time) {
	if len(s.techs) == 0 {
		return
	}
	now = now.UTC().Truncate(time.Second)
	for i := 0; i < historySize; i++ {
		t := s.techs[i%len(s.techs)]
		c, ok := nthCaseOf(w, t.SystemUserID, i/len(s.techs))
		var fields [6]string
		tracking := ""
		if ok {
			fields[0], fields[1] = customerOf(w, c)
			if i%6 != 5 {
				tracking = c.Number
			}
		}
		start := now.Add(-time.Duration(7*24*60-i*12*60-(i*37)%50) * time.Minute)
		id := s.ids.next()
		ss := newSession(id, fmt.Sprintf("%06d", id*7919%1000000), t, start, s.pinValidity)
		ss.fields, ss.tracking = fields, tracking
		s.playHistory(ss, i)
		s.addSession(ss)
	}
}

// playHistory runs one past session through its stages with durations that vary by index.
func (s *Server) playHistory(ss *session, i int) {
	at := ss.started.Add(time.Duration(15+(i*7)%40) * time.Second)
	s.toWaiting(ss, at)
	at = at.Add(time.Duration(30+(i*53)%280) * time.Second)
	if i%7 == 3 {
		s.close(ss, at, StatusClosedByWaitingCustomer)
		return
	}
	span := time.Duration(4+(i*7)%36) * time.Minute
	s.pickUp(ss, at, span)
	if i%5 == 4 {
		s.close(ss, at.Add(span/2), StatusClosedByActiveCustomer)
		return
	}
	s.close(ss, at.Add(span), StatusClosedByTechnician)
}

// nthCaseOf picks the n-th case owned by a system user, wrapping around.
func nthCaseOf(w *world.World, owner string, n int) (world.Case, bool) {
	var owned []world.Case
	for _, c := range w.Cases {
		if c.OwnerID == owner {
			owned = append(owned, c)
		}
	}
	if len(owned) == 0 {
		return world.Case{}, false
	}
	return owned[n%len(owned)], true
}

// customerOf gives the name and e-mail a technician would type into cfield0 and cfield1.
func customerOf(w *world.World, c world.Case) (name, email string) {
	if c.CustomerType == world.CustomerAccount {
		for _, a := range w.Accounts {
			if a.ID == c.CustomerID {
				return a.Name, a.Email
			}
		}
	}
	for _, ct := range w.Contacts {
		if ct.ID == c.CustomerID {
			return ct.FullName, ct.Email
		}
	}
	return "", ""
}

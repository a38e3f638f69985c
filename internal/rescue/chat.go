package rescue

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// ChatLine is one message of a session's chat.
type ChatLine struct {
	At   string // the time stamp as sent, e.g. "2:05:07 PM"; empty for a line without one
	Name string // who wrote it; empty for a line without "Name: "
	Text string // the message; a message over several lines keeps them, separated by "\n"
}

// Chat returns a session's chat log (getChat), oldest line first.
func (c *Client) Chat(ctx context.Context, authcode string, sessionID int) ([]ChatLine, error) {
	form := url.Values{"authcode": {authcode}, "session": {strconv.Itoa(sessionID)}}
	payload, err := c.call(ctx, "getChat", form, retryRead)
	if err != nil {
		return nil, err
	}
	return parseChat(payload), nil
}

// parseChat reads the log after an optional "CHATLOG:" (or "CHAT:") label: one message per line,
// "[h:mm:ss AM] Name: text". A line without a time stamp continues the message before it, since a
// message may hold line breaks; before any message, it stands as a line of its own. Blank lines are
// dropped.
func parseChat(payload string) []ChatLine {
	text := payload
	for _, label := range []string{"CHATLOG", "CHAT"} {
		if rest, ok := cutLabel(text, label); ok {
			text = rest
			break
		}
	}
	var out []ChatLine
	var more [][]string // the continuation lines of each message, joined at the end
	for _, l := range lines(text) {
		if strings.TrimSpace(l) == "" {
			continue
		}
		at, rest, stamped := cutStamp(l)
		if !stamped && len(out) > 0 {
			more[len(more)-1] = append(more[len(more)-1], strings.TrimRight(l, " \t"))
			continue
		}
		name, msg := cutSpeaker(rest)
		out = append(out, ChatLine{At: at, Name: name, Text: msg})
		more = append(more, nil)
	}
	for i, m := range more {
		if len(m) > 0 {
			out[i].Text += "\n" + strings.Join(m, "\n")
		}
	}
	return out
}

// cutStamp splits "[2:05:07 PM] rest" into the stamp and the rest.
func cutStamp(l string) (at, rest string, ok bool) {
	t := strings.TrimLeft(l, " \t")
	if !strings.HasPrefix(t, "[") {
		return "", strings.TrimSpace(l), false
	}
	end := strings.IndexByte(t, ']')
	if end < 0 || !looksLikeTime(t[1:end]) {
		return "", strings.TrimSpace(l), false
	}
	return strings.TrimSpace(t[1:end]), strings.TrimSpace(t[end+1:]), true
}

// looksLikeTime accepts a clock time such as "14:05", "2:05:07 PM" or "2:05:07 p.m.": digits and
// colons first, then at most a short suffix. A bracketed word in a message is not a stamp.
func looksLikeTime(s string) bool {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == ':') {
		i++
	}
	clock := s[:i]
	return strings.Count(clock, ":") >= 1 && clock[0] != ':' && len(s)-i <= 8
}

// cutSpeaker splits "Name: text" at the first ": ". A line with no speaker is all text.
func cutSpeaker(s string) (name, text string) {
	if name, text, ok := strings.Cut(s, ": "); ok && name != "" {
		return strings.TrimSpace(name), strings.TrimSpace(text)
	}
	if strings.HasSuffix(s, ":") && len(s) > 1 {
		return strings.TrimSpace(s[:len(s)-1]), ""
	}
	return "", s
}

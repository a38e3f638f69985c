package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// barChart is a column chart drawn with rectangles in the theme's primary colour: a count above
// each bar (while there is room) and a label under it.
type barChart struct {
	content *fyne.Container
	values  []int
	bars    []*canvas.Rectangle
}

func newBarChart() *barChart {
	c := &barChart{}
	c.content = container.New(&barsLayout{chart: c})
	return c
}

// set draws the chart again with new bars.
func (c *barChart) set(labels []string, values []int) {
	c.values = values
	c.bars = make([]*canvas.Rectangle, len(values))
	objs := make([]fyne.CanvasObject, 0, 3*len(values))
	for i, v := range values {
		c.bars[i] = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		count := ""
		if len(values) <= 10 {
			count = fmt.Sprint(v)
		}
		objs = append(objs, c.bars[i], chartText(count), chartText(labels[i]))
	}
	c.content.Objects = objs
	c.content.Refresh()
}

func chartText(s string) *canvas.Text {
	t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.Size(theme.SizeNameCaptionText)
	t.Alignment = fyne.TextAlignCenter
	return t
}

// barsLayout places the chart's objects, which come in threes: bar, count, label. The tallest
// bar fills the height left by the texts; the others are in proportion.
type barsLayout struct{ chart *barChart }

func (l *barsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := len(objs) / 3
	if n == 0 {
		return
	}
	textHeight := objs[2].MinSize().Height
	area := size.Height - 2*textHeight
	slot := size.Width / float32(n)
	width := fyne.Min(slot*0.7, 48)
	highest := slices.Max(l.chart.values)
	for i := 0; i < n; i++ {
		var h float32
		if highest > 0 {
			h = area * float32(l.chart.values[i]) / float32(highest)
		}
		x := slot*float32(i) + (slot-width)/2
		bar, count, label := objs[3*i], objs[3*i+1], objs[3*i+2]
		bar.Move(fyne.NewPos(x, textHeight+area-h))
		bar.Resize(fyne.NewSize(width, h))
		count.Move(fyne.NewPos(slot*float32(i), area-h))
		count.Resize(fyne.NewSize(slot, textHeight))
		label.Move(fyne.NewPos(slot*float32(i), size.Height-textHeight))
		label.Resize(fyne.NewSize(slot, textHeight))
	}
}

func (l *barsLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(120, 130) }

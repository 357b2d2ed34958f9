using System.Globalization;
using System.Text.RegularExpressions;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Monitor.Core.Reporting;

/// <summary>
/// The review pack's charts, drawn by OxyPlot (OxyPlot.Core's SvgExporter: pure managed code, no native libraries and
/// no browser) and embedded in the page as inline SVG scaled to the page width, so the file opens offline. Every axis
/// is fixed from the data: the month axis has every month of the period, the count axes run from 0 to a round number
/// above the largest value, and the share axis leaves room above 100% for the bar labels, so no mark sits on a border.
/// </summary>
internal static partial class ReviewPackCharts
{
    public const int Width = 1100;
    public const int Height = 360;

    /// <summary>Response time as a share of the target: the buckets of the distribution chart; the target is the edge between the third and the fourth.</summary>
    public static readonly (string Label, double Upper)[] TargetBuckets =
    [
        ("≤50%", 0.5), ("50–75%", 0.75), ("75–100%", 1.0), ("100–150%", 1.5), ("150–200%", 2.0), (">200%", double.PositiveInfinity),
    ];

    private static readonly OxyColor[] Palette = [OxyColor.FromRgb(0x1f, 0x77, 0xb4), OxyColor.FromRgb(0xd6, 0x27, 0x28), OxyColor.FromRgb(0x2c, 0xa0, 0x2c), OxyColor.FromRgb(0x94, 0x67, 0xbd)];

    [GeneratedRegex(@"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Prolog();

    [GeneratedRegex(@"\bclipPath(\d+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ClipIds();

    [GeneratedRegex(@"^<svg([^>]*?)\swidth=""[^""]*""\sheight=""[^""]*""", RegexOptions.CultureInvariant)]
    private static partial Regex FixedSize();

    /// <summary>"2026-12" as the language writes a month: "Dec 2026", "2026年12月".</summary>
    public static string MonthLabel(string month, ReviewPackText text) =>
        text.Month(DateTimeOffset.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    /// <summary>
    /// On-time share of the responses due, by month of submission: one bar per party and month with a due response,
    /// labelled "on time/due" as in the table under it. Months with nothing due have no bar (not a zero).
    /// </summary>
    public static string OnTimeByMonth(ReviewReport report, IReadOnlyList<ReviewPackText> texts)
    {
        var months = report.OnTimeByMonth.Select(m => m.Month).Distinct().Order(StringComparer.Ordinal).ToList();
        var model = Model(Join(texts, t => t.OnTimeChart));
        model.Axes.Add(MonthAxis(months, texts));
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Minimum = -5, Maximum = 118, MajorStep = 25, MinorStep = 25, Title = Join(texts, t => t.OnTimeAxis),
            MajorGridlineStyle = LineStyle.Dot, AxisTitleDistance = 12, LabelFormatter = y => y is >= 0 and <= 100 ? y.ToString("0", CultureInfo.InvariantCulture) : "",
            IsZoomEnabled = false, IsPanEnabled = false,
        });
        var parties = report.OnTimeByMonth.GroupBy(m => m.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = 0.8 / Math.Max(1, parties.Count);
        for (var p = 0; p < parties.Count; p++)
        {
            var series = new RectangleBarSeries { Title = parties[p].Key, FillColor = Palette[p % Palette.Length], StrokeThickness = 0 };
            foreach (var point in parties[p].Where(m => m.Decided > 0))
            {
                var x0 = months.IndexOf(point.Month) - 0.4 + p * width;
                var share = 100.0 * point.OnTime / point.Decided;
                series.Items.Add(new RectangleBarItem(x0, 0, x0 + width, share));
                model.Annotations.Add(BarLabel(x0 + width / 2, share, $"{point.OnTime}/{point.Decided}"));
            }
            model.Series.Add(series);
        }
        return Svg(model, "chart-on-time");
    }

    /// <summary>How many responses used which share of their target, per party, each bar labelled with its count; the dashed line marks the target.</summary>
    public static string ResponseTimesAgainstTargets(ReviewReport report, IReadOnlyList<ReviewPackText> texts)
    {
        var model = Model(Join(texts, t => t.ResponseTimesChart));
        model.Axes.Add(new LinearAxis
        {
            // Bucket b spans [b - 0.5, b + 0.5], so its label (at the integer tick) sits under its bars.
            Position = AxisPosition.Bottom, Minimum = -0.5, Maximum = TargetBuckets.Length - 0.5, MajorStep = 1, MinorStep = 1,
            Title = Join(texts, t => t.TargetAxis), AxisTitleDistance = 8, IsZoomEnabled = false, IsPanEnabled = false,
            LabelFormatter = x => Math.Round(x) is var b && b >= 0 && b < TargetBuckets.Length ? TargetBuckets[(int)b].Label : "",
        });
        var parties = report.Requests.Where(r => r.ResponseTargetFraction is not null).GroupBy(r => r.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Party: g.Key, Counts: BucketCounts(g.Select(r => r.ResponseTargetFraction!.Value)))).ToList();
        var top = CountAxis(model, parties.SelectMany(p => p.Counts).DefaultIfEmpty(0).Max(), Join(texts, t => t.ResponsesAxis));
        var width = 0.8 / Math.Max(1, parties.Count);
        for (var p = 0; p < parties.Count; p++)
        {
            var series = new RectangleBarSeries { Title = parties[p].Party, FillColor = Palette[p % Palette.Length], StrokeThickness = 0 };
            for (var b = 0; b < TargetBuckets.Length; b++)
            {
                var x0 = b - 0.4 + p * width;
                series.Items.Add(new RectangleBarItem(x0, 0, x0 + width, parties[p].Counts[b]));
                if (parties[p].Counts[b] > 0)
                {
                    model.Annotations.Add(BarLabel(x0 + width / 2, parties[p].Counts[b], parties[p].Counts[b].ToString(CultureInfo.InvariantCulture)));
                }
            }
            model.Series.Add(series);
        }
        // The target line with its label at the top of the plot, in the headroom above the tallest bar.
        model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = 2.5, Color = OxyColors.Black, LineStyle = LineStyle.Dash });
        model.Annotations.Add(new TextAnnotation
        {
            Text = Join(texts, t => t.Target), TextPosition = new DataPoint(2.52, top), TextHorizontalAlignment = HorizontalAlignment.Left,
            TextVerticalAlignment = VerticalAlignment.Top, Stroke = OxyColors.Transparent, FontSize = 11,
        });
        return Svg(model, "chart-response-times");
    }

    /// <summary>
    /// Requests open (awaiting their response) and, of those, overdue or escalated, at each weekly sample, per party (open
    /// dashed, overdue solid). The time axis spans the whole period with a tick at each month, whatever the samples.
    /// </summary>
    public static string OpenOverdueTrend(ReviewReport report, IReadOnlyList<ReviewPackText> texts)
    {
        var model = Model(Join(texts, t => t.TrendChart));
        var start = report.PeriodStart.UtcDateTime;
        var end = report.PeriodEnd.UtcDateTime;
        var monthTicks = Enumerable.Range(0, 13).Select(i => start.AddMonths(i)).Where(m => m <= end).ToList();
        // 1% of the period beyond each end, so that the first and last samples' markers are not cut by the plot's border.
        var margin = (end - start) / 100;
        model.Axes.Add(new MonthTickAxis(monthTicks)
        {
            Position = AxisPosition.Bottom, Minimum = DateTimeAxis.ToDouble(start - margin), Maximum = DateTimeAxis.ToDouble(end + margin),
            Title = Join(texts, t => t.DateAxis), AxisTitleDistance = 8, IsZoomEnabled = false, IsPanEnabled = false, MajorGridlineStyle = LineStyle.Dot,
            LabelFormatter = x => texts[0].Month(new DateTimeOffset(DateTime.SpecifyKind(DateTimeAxis.ToDateTime(x, TimeSpan.FromMinutes(1)), DateTimeKind.Utc), TimeSpan.Zero)),
        });
        CountAxis(model, report.OpenOverdueTrend.Select(t => t.Open).DefaultIfEmpty(0).Max(), Join(texts, t => t.RequestsAxis));
        var i = 0;
        foreach (var party in report.OpenOverdueTrend.GroupBy(t => t.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var color = Palette[i++ % Palette.Length];
            var open = new StairStepSeries { Title = Join(texts, t => t.OpenSeries(party.Key)), Color = color, LineStyle = LineStyle.Dash, StrokeThickness = 1.5 };
            var overdue = new StairStepSeries { Title = Join(texts, t => t.OverdueSeries(party.Key)), Color = color, StrokeThickness = 2.5, MarkerType = MarkerType.Circle, MarkerSize = 3 };
            foreach (var point in party.OrderBy(t => t.At))
            {
                var x = DateTimeAxis.ToDouble(point.At.UtcDateTime);
                open.Points.Add(new DataPoint(x, point.Open));
                overdue.Points.Add(new DataPoint(x, point.OpenOverdue));
            }
            model.Series.Add(open);
            model.Series.Add(overdue);
        }
        return Svg(model, "chart-overdue-trend");
    }

    /// <summary>Counts per <see cref="TargetBuckets"/> bucket (upper bounds inclusive).</summary>
    public static int[] BucketCounts(IEnumerable<double> fractions)
    {
        var counts = new int[TargetBuckets.Length];
        foreach (var fraction in fractions)
        {
            counts[Array.FindIndex(TargetBuckets, b => fraction <= b.Upper)]++;
        }
        return counts;
    }

    /// <summary>
    /// A count axis from 0 to a round step above <paramref name="max"/> (at least 25% headroom for the labels), with
    /// whole-number ticks of 1, 2, 5, 10, ...; returns its maximum.
    /// </summary>
    private static double CountAxis(PlotModel model, int max, string title)
    {
        var step = 1;
        for (var k = 0; max / step > 6; k++)
        {
            step = k % 3 == 1 ? step / 2 * 5 : step * 2; // 1, 2, 5, 10, 20, 50, ...
        }
        var top = Math.Ceiling((Math.Max(1, max) * 1.25 + 0.01) / step) * step;
        model.Axes.Add(new LinearAxis
        {
            // A little room below zero, so that a line or marker at zero is drawn above the axis, not on it.
            Position = AxisPosition.Left, Minimum = -top * 0.04, Maximum = top, MajorStep = step, MinorStep = step, Title = title, AxisTitleDistance = 12,
            MajorGridlineStyle = LineStyle.Dot, IsZoomEnabled = false, IsPanEnabled = false,
            LabelFormatter = y => y >= 0 && y % 1 == 0 ? y.ToString("0", CultureInfo.InvariantCulture) : "",
        });
        return top;
    }

    /// <summary>A category axis of the months, as a linear axis with one tick per month so that no bar or label touches a border.</summary>
    private static LinearAxis MonthAxis(List<string> months, IReadOnlyList<ReviewPackText> texts) => new()
    {
        Position = AxisPosition.Bottom, Minimum = -0.5, Maximum = Math.Max(1, months.Count) - 0.5, MajorStep = 1, MinorStep = 1,
        Title = Join(texts, t => t.MonthAxis), AxisTitleDistance = 8, IsZoomEnabled = false, IsPanEnabled = false,
        LabelFormatter = x => Math.Round(x) is var m && m >= 0 && m < months.Count && Math.Abs(x - m) < 0.01 ? MonthLabel(months[(int)m], texts[0]) : "",
    };

    private static TextAnnotation BarLabel(double x, double y, string text) => new()
    {
        Text = text, TextPosition = new DataPoint(x, y), TextHorizontalAlignment = HorizontalAlignment.Center, TextVerticalAlignment = VerticalAlignment.Bottom,
        Stroke = OxyColors.Transparent, FontSize = 11, Padding = new OxyThickness(0, 0, 0, 2),
    };

    private static string Join(IReadOnlyList<ReviewPackText> texts, Func<ReviewPackText, string> pick) => string.Join(" · ", texts.Select(pick));

    private static PlotModel Model(string title)
    {
        var model = new PlotModel { Title = title, TitleFontSize = 15, DefaultFont = "sans-serif", DefaultFontSize = 12, Background = OxyColors.White, Padding = new OxyThickness(8, 8, 24, 8) };
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.TopCenter, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal,
            LegendFontSize = 12, LegendItemSpacing = 36,
        });
        return model;
    }

    /// <summary>The chart as an inline SVG element scaled to its container: no XML prolog, a viewBox instead of a fixed size, clip-path ids unique within the page.</summary>
    private static string Svg(PlotModel model, string id)
    {
        var svg = SvgExporter.ExportToString(model, Width, Height, false, new WideGlyphMeasurer());
        svg = Prolog().Replace(svg, "").Trim();
        svg = ClipIds().Replace(svg, m => $"{id}-clip{m.Groups[1].Value}");
        svg = FixedSize().Replace(svg, m => string.Create(CultureInfo.InvariantCulture, $"<svg{m.Groups[1].Value} viewBox=\"0 0 {Width} {Height}\" preserveAspectRatio=\"xMidYMid meet\""));
        var open = svg.IndexOf("<svg", StringComparison.Ordinal);
        return svg.Insert(open + 4, string.Create(CultureInfo.InvariantCulture, $" id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(model.Title)}\""));
    }

    /// <summary>
    /// OxyPlot's text measure (Helvetica metrics) with each CJK character counted as a full em ("W"), which Helvetica
    /// lacks, and 20% added for the browser's sans-serif, which runs wider: without it Chinese titles and legend
    /// entries are laid out too short and overlap.
    /// </summary>
    private sealed class WideGlyphMeasurer() : PdfRenderContext(Width, Height, OxyColors.White)
    {
        public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
        {
            var size = base.MeasureText(string.Concat((text ?? "").Select(c => c >= '\u2E80' ? 'W' : c)), fontFamily, fontSize, fontWeight);
            return new OxySize(size.Width * 1.2, size.Height);
        }
    }

    /// <summary>A date axis with a tick at the first of each month (OxyPlot's own month intervals do not start on the 1st).</summary>
    private sealed class MonthTickAxis(List<DateTime> months) : DateTimeAxis
    {
        public override void GetTickValues(out IList<double> majorLabelValues, out IList<double> majorTickValues, out IList<double> minorTickValues)
        {
            majorLabelValues = [.. months.Select(ToDouble)];
            majorTickValues = majorLabelValues;
            minorTickValues = [];
        }
    }
}

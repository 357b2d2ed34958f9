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
/// no browser) and embedded in the page as inline SVG, so the file opens offline.
/// </summary>
internal static partial class ReviewPackCharts
{
    public const int Width = 760;
    public const int Height = 320;

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

    /// <summary>On-time share (%) of the decided responses, by month of submission, one line per party.</summary>
    public static string OnTimeByMonth(ReviewReport report)
    {
        var months = report.OnTimeByMonth.Select(m => m.Month).Distinct().Order(StringComparer.Ordinal).ToList();
        var model = Model("On-time responses by month of submission (% of decided)");
        model.Axes.Add(new CategoryAxis { Position = AxisPosition.Bottom, ItemsSource = months, Title = "month" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, Maximum = 105, MajorStep = 25, Title = "% on time", MajorGridlineStyle = LineStyle.Dot });
        var i = 0;
        foreach (var party in report.OnTimeByMonth.GroupBy(m => m.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var series = new LineSeries { Title = party.Key, Color = Palette[i++ % Palette.Length], MarkerType = MarkerType.Circle, MarkerSize = 4 };
            foreach (var point in party)
            {
                // A month without a decided response has no share: a gap, not a zero.
                series.Points.Add(point.Share is { } share ? new DataPoint(months.IndexOf(point.Month), share * 100) : DataPoint.Undefined);
            }
            model.Series.Add(series);
        }
        return Svg(model, "chart-on-time");
    }

    /// <summary>How many responses used which share of their target, per party; the line marks the target.</summary>
    public static string ResponseTimesAgainstTargets(ReviewReport report)
    {
        var model = Model("Response times against targets (share of the target used)");
        model.Axes.Add(new LinearAxis
        {
            // Bucket b spans [b - 0.5, b + 0.5], so its label (at the integer tick) sits under its bars.
            Position = AxisPosition.Bottom, Minimum = -0.5, Maximum = TargetBuckets.Length - 0.5, MajorStep = 1, MinorStep = 1,
            Title = "working time used, % of target", LabelFormatter = x => Math.Round(x) is var b && b >= 0 && b < TargetBuckets.Length ? TargetBuckets[(int)b].Label : "",
        });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, MinimumRange = 1, MajorStep = 1, Title = "responses", MajorGridlineStyle = LineStyle.Dot });
        var parties = report.Requests.Where(r => r.ResponseTargetFraction is not null).GroupBy(r => r.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = 0.8 / Math.Max(1, parties.Count);
        for (var p = 0; p < parties.Count; p++)
        {
            var series = new RectangleBarSeries { Title = parties[p].Key, FillColor = Palette[p % Palette.Length], StrokeThickness = 0 };
            var counts = BucketCounts(parties[p].Select(r => r.ResponseTargetFraction!.Value));
            for (var b = 0; b < counts.Length; b++)
            {
                var x0 = b - 0.4 + p * width;
                series.Items.Add(new RectangleBarItem(x0, 0, x0 + width, counts[b]));
            }
            model.Series.Add(series);
        }
        model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Vertical, X = 2.5, Color = OxyColors.Black, LineStyle = LineStyle.Dash, Text = "target", TextOrientation = AnnotationTextOrientation.Horizontal });
        return Svg(model, "chart-response-times");
    }

    /// <summary>Requests open and overdue (or escalated) at each weekly sample, one line per party.</summary>
    public static string OpenOverdueTrend(ReviewReport report)
    {
        var model = Model("Open and overdue requests (weekly)");
        model.Axes.Add(new DateTimeAxis { Position = AxisPosition.Bottom, StringFormat = "yyyy-MM-dd", Title = "date (UTC)", IntervalType = DateTimeIntervalType.Weeks, MajorStep = 28 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Minimum = 0, MinimumRange = 1, MajorStep = 1, Title = "open overdue", MajorGridlineStyle = LineStyle.Dot });
        var i = 0;
        foreach (var party in report.OpenOverdueTrend.GroupBy(t => t.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var series = new StairStepSeries { Title = party.Key, Color = Palette[i++ % Palette.Length], MarkerType = MarkerType.Circle, MarkerSize = 3 };
            foreach (var point in party.OrderBy(t => t.At))
            {
                series.Points.Add(new DataPoint(DateTimeAxis.ToDouble(point.At.UtcDateTime), point.OpenOverdue));
            }
            model.Series.Add(series);
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

    private static PlotModel Model(string title)
    {
        var model = new PlotModel { Title = title, TitleFontSize = 14, DefaultFont = "sans-serif", Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendPlacement = LegendPlacement.Outside });
        return model;
    }

    /// <summary>The chart as an inline SVG element: no XML prolog, and clip-path ids made unique within the page.</summary>
    private static string Svg(PlotModel model, string id)
    {
        var svg = SvgExporter.ExportToString(model, Width, Height, isDocument: false);
        svg = Prolog().Replace(svg, "").Trim();
        svg = ClipIds().Replace(svg, m => $"{id}-clip{m.Groups[1].Value}");
        var open = svg.IndexOf("<svg", StringComparison.Ordinal);
        return svg.Insert(open + 4, string.Create(CultureInfo.InvariantCulture, $" id=\"{id}\" class=\"chart\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(model.Title)}\""));
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using Monitor.Core.Sla;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.Digests;

/// <summary>
/// The digest as Markdown and as a self-contained HTML page. Both are pure functions of the report, so the same state
/// gives byte-identical files. Every value from the data is escaped: HTML-encoded in the page, and in the Markdown
/// with its table and emphasis characters backslash-escaped and &lt; &gt; &amp; as entities.
/// </summary>
public static class DigestRenderer
{
    private static readonly string[] Columns = ["Request", "From", "Priority", "Category", "Clock", "Level", "Calendar", "Due (calendar time)", "Due (UTC)", "How late"];

    public static string Title(DigestReport report) => $"SLA digest {DateOf(report.AsOf)}";

    public static string Markdown(DigestReport report)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(Md(Title(report))).Append("\n\n");
        md.Append(Md(Summary(report))).Append("\n");
        foreach (var party in report.ByParty)
        {
            md.Append("\n## Responding party ").Append(Md(party.Key)).Append(" (").Append(party.Count()).Append(")\n\n");
            md.Append("| ").Append(string.Join(" | ", Columns)).Append(" |\n");
            md.Append('|').Append(string.Concat(Enumerable.Repeat("---|", Columns.Length))).Append('\n');
            foreach (var item in party)
            {
                md.Append("| ").Append(string.Join(" | ", Cells(item, report.AsOf).Select(Md))).Append(" |\n");
            }
        }
        if (Warnings(report) is { Count: > 0 } warnings)
        {
            md.Append("\n## Calendar warnings\n\n");
            foreach (var warning in warnings)
            {
                md.Append("- ").Append(Md(warning)).Append('\n');
            }
        }
        if (report.Problems.Count > 0)
        {
            md.Append("\n## Could not evaluate\n\n");
            foreach (var problem in report.Problems)
            {
                md.Append("- ").Append(Md($"{problem.RequestId} ({problem.RespondingParty}): {problem.Reason}")).Append('\n');
            }
        }
        return md.ToString();
    }

    public static string Html(DigestReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(Title(report))).Append("</title>\n");
        html.Append("<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
            + "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f3f3f3}"
            + ".escalated{color:#a4262c;font-weight:bold}.overdue{color:#d83b01}.at-risk{color:#8a6d00}</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(H(Title(report))).Append("</h1>\n<p>").Append(H(Summary(report))).Append("</p>\n");
        foreach (var party in report.ByParty)
        {
            html.Append("<h2>Responding party ").Append(H(party.Key)).Append(" (").Append(party.Count()).Append(")</h2>\n<table>\n<thead><tr>");
            foreach (var column in Columns)
            {
                html.Append("<th>").Append(H(column)).Append("</th>");
            }
            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var item in party)
            {
                html.Append("<tr class=\"").Append(H(ClockLevels.Name(item.Level))).Append("\">");
                foreach (var cell in Cells(item, report.AsOf))
                {
                    html.Append("<td>").Append(H(cell)).Append("</td>");
                }
                html.Append("</tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
        if (Warnings(report) is { Count: > 0 } warnings)
        {
            html.Append("<h2>Calendar warnings</h2>\n<ul>\n");
            foreach (var warning in warnings)
            {
                html.Append("<li>").Append(H(warning)).Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        if (report.Problems.Count > 0)
        {
            html.Append("<h2>Could not evaluate</h2>\n<ul>\n");
            foreach (var problem in report.Problems)
            {
                html.Append("<li>").Append(H($"{problem.RequestId} ({problem.RespondingParty}): {problem.Reason}")).Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>"request clock: warning" for every item whose calendar lists no holidays for the instants it reaches.</summary>
    private static List<string> Warnings(DigestReport report) =>
        [.. report.Items.Where(i => i.CalendarWarning is not null).Select(i => $"{i.RequestId} {i.ClockName}: {i.CalendarWarning}").Distinct()];

    /// <summary>The UTC date that names the digest files.</summary>
    public static string DateOf(Instant instant) => instant.InUtc().Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    private static string Summary(DigestReport report)
    {
        var count = (ClockLevel level) => report.Items.Count(i => i.Level == level);
        var asOf = InstantPattern.General.Format(report.AsOf);
        if (report.Items.Count == 0)
        {
            return $"As of {asOf}: no clock is at risk, overdue or escalated.";
        }
        return $"As of {asOf}: {report.Items.Count} clock(s) of {report.Items.Select(i => i.RequestId).Distinct().Count()} request(s) need attention: "
            + $"{count(ClockLevel.Escalated)} escalated, {count(ClockLevel.Overdue)} overdue, {count(ClockLevel.AtRisk)} at risk.";
    }

    private static IEnumerable<string> Cells(DigestItem item, Instant asOf)
    {
        var format = new InstantFormat(item.Calendar);
        yield return item.RequestId;
        yield return item.RequestingParty;
        yield return item.Priority;
        yield return item.Category;
        yield return item.Clock == ClockKind.Update ? $"{item.ClockName} (cycle {item.Cycle})" : item.ClockName;
        yield return ClockLevels.Name(item.Level);
        yield return item.Calendar.ToString();
        yield return item.DueAt is { } due ? format.At(due) : "never (paused)";
        yield return item.DueAt is { } d ? InstantPattern.General.Format(d) : "";
        yield return HowLate(item, asOf);
    }

    private static string HowLate(DigestItem item, Instant asOf)
    {
        if (item.Late is not { } late || item.LateWorking is not { } working)
        {
            return "";
        }
        var overdue = late >= Duration.Zero;
        var elapsed = InstantFormat.Length(overdue ? late : -late);
        var workingText = InstantFormat.Length(overdue ? working : -working);
        var text = overdue ? $"{elapsed} late" : $"due in {elapsed}";
        if (working != late)
        {
            text += $" ({workingText} of working time)";
        }
        if (item.Level == ClockLevel.Overdue && item.EscalateAt is { } escalate && escalate > asOf)
        {
            text += $"; escalates {InstantPattern.General.Format(escalate)}";
        }
        return text;
    }

    private static string H(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Escapes a value for a Markdown paragraph or table cell.</summary>
    public static string Md(string text) => MarkdownText.Escape(text, foldLineBreaks: true);
}

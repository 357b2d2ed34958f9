using System.Globalization;
using System.Net;
using System.Text;

namespace Monitor.Core.Reporting;

/// <summary>
/// The semi-annual review pack as one self-contained HTML file: inline CSS and inline SVG charts, no scripts, no
/// links or images that fetch anything, so it opens the same offline, in a mail client or from a USB stick.
/// Key figures carry data-party/data-figure attributes so that a test (or a person's script) can read them back.
/// </summary>
public static class ReviewPackHtml
{
    private const string Style = """
        body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
        h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;font-size:13px}
        th{background:#f2f2f2}td.t,th.t{text-align:left}.muted{color:#666;font-size:13px}
        .chart{display:block;margin:12px 0;border:1px solid #eee}.bad{color:#b00020;font-weight:bold}.good{color:#1b7f2a}
        section.explain{border-left:3px solid #ccc;padding-left:12px;margin:12px 0}section.explain ul{margin:4px 0}
        """;

    public static string Render(ReviewReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        html.Append($"<title>Review pack {E(report.Period)}</title><style>{Style}</style></head><body>\n");
        html.Append($"<h1>Semi-annual review pack: {E(report.Period)}</h1>\n");
        html.Append($"<p class=\"muted\">Requests submitted from {D(report.PeriodStart)} to {D(report.PeriodEnd)} (UTC, end exclusive), evaluated at <span id=\"as-of\">{T(report.AsOf)}</span>. ");
        html.Append("Response times are working hours on the responding party's calendar. Definitions: docs/reporting.md of the Monitor repository.</p>\n");

        Summary(html, report);
        html.Append("<h2 id=\"timeliness\">Timeliness</h2>\n");
        html.Append(ReviewPackCharts.OnTimeByMonth(report)).Append('\n');
        html.Append(ReviewPackCharts.ResponseTimesAgainstTargets(report)).Append('\n');
        html.Append(ReviewPackCharts.OpenOverdueTrend(report)).Append('\n');
        Groups(html, report);
        Escalated(html, report);
        Quality(html, report);
        Completeness(html, report);
        Explanations(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, ReviewReport report)
    {
        html.Append("<h2 id=\"summary\">Executive summary by responding party</h2>\n");
        if (report.Parties.Count == 0)
        {
            html.Append("<p>No request was submitted in this period.</p>\n");
            return;
        }
        html.Append("<table id=\"party-summary\"><tr><th class=\"t\">Party</th><th>Received</th><th>Acknowledged on time</th><th>Responded on time</th>")
            .Append("<th>Median response (h)</th><th>90th pct (h)</th><th>Updates on time</th><th>Breaches</th><th>Escalations</th><th>Open at period end</th><th>Quality (0-100)</th></tr>\n");
        foreach (var party in report.Parties)
        {
            var m = party.Metrics;
            var p = E(party.RespondingParty);
            html.Append($"<tr data-party=\"{p}\"><td class=\"t\">{p}</td>")
                .Append(Cell(p, "requests-received", N(m.RequestsReceived)))
                .Append(Cell(p, "acknowledged-on-time", $"{N(m.AcknowledgedOnTime)} ({Pct(m.AcknowledgedOnTime, m.RequestsReceived)})"))
                .Append(Cell(p, "responded-on-time", $"{N(m.RespondedOnTime)} ({Pct(m.RespondedOnTime, m.RequestsReceived)})"))
                .Append(Cell(p, "median-response-hours", F(m.MedianResponseHours)))
                .Append(Cell(p, "p90-response-hours", F(m.P90ResponseHours)))
                .Append(Cell(p, "updates-on-time", m.UpdatesRequired == 0 ? "none required" : $"{N(m.UpdatesOnTime)} of {N(m.UpdatesRequired)}"))
                .Append(Cell(p, "breaches", N(m.Breaches)))
                .Append(Cell(p, "escalations", N(m.Escalations)))
                .Append(Cell(p, "open-at-period-end", N(m.OpenAtPeriodEnd)))
                .Append(Cell(p, "quality-score", F(m.QualityScore)))
                .Append("</tr>\n");
        }
        html.Append("</table>\n");
        foreach (var party in report.Parties)
        {
            var m = party.Metrics;
            html.Append($"<p>{E(party.RespondingParty)} received {N(m.RequestsReceived)} request(s): {Pct(m.RespondedOnTime, m.RequestsReceived)} answered on time, ")
                .Append($"{N(m.Breaches)} with a breach, {N(m.Escalations)} escalated to the hotline level, {N(m.OpenAtPeriodEnd)} still open at the period's end.</p>\n");
        }
    }

    private static void Groups(StringBuilder html, ReviewReport report)
    {
        html.Append("<h2 id=\"groups\">By party, category and priority (PeriodStats)</h2>\n");
        html.Append("<table id=\"period-stats\"><tr><th class=\"t\">Party</th><th class=\"t\">Category</th><th class=\"t\">Priority</th><th>Received</th><th>Ack on time</th><th>Resp. on time</th>")
            .Append("<th>Median h</th><th>P90 h</th><th>Updates on time</th><th>Breaches</th><th>Escalations</th><th>Open at end</th><th>Quality</th></tr>\n");
        foreach (var s in report.Stats)
        {
            html.Append($"<tr data-row=\"{E(s.RowKey)}\"><td class=\"t\">{E(s.RespondingParty)}</td><td class=\"t\">{E(s.Category)}</td><td class=\"t\">{E(s.Priority)}</td>")
                .Append($"<td>{N(s.RequestsReceived)}</td><td>{N(s.AcknowledgedOnTime)}</td><td>{N(s.RespondedOnTime)}</td><td>{F(s.MedianResponseHours)}</td><td>{F(s.P90ResponseHours)}</td>")
                .Append($"<td>{(s.UpdatesRequired == 0 ? "–" : $"{N(s.UpdatesOnTime)}/{N(s.UpdatesRequired)}")}</td><td>{N(s.Breaches)}</td><td>{N(s.Escalations)}</td><td>{N(s.OpenAtPeriodEnd)}</td><td>{F(s.QualityScore)}</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Escalated(StringBuilder html, ReviewReport report)
    {
        var escalated = report.Requests.Where(r => r.Escalated).ToList();
        html.Append($"<h2 id=\"escalated\">Escalated requests ({N(escalated.Count)})</h2>\n");
        if (escalated.Count == 0)
        {
            html.Append("<p>No request reached the escalation level.</p>\n");
            return;
        }
        html.Append("<table id=\"escalated-requests\"><tr><th class=\"t\">Request</th><th class=\"t\">From → to</th><th class=\"t\">Category / priority</th><th class=\"t\">Submitted</th><th class=\"t\">Level now</th><th class=\"t\">Response</th></tr>\n");
        foreach (var r in escalated)
        {
            html.Append($"<tr><td class=\"t\"><a href=\"#{Anchor(r.RequestId)}\">{E(r.RequestId)}</a></td><td class=\"t\">{E(r.RequestingParty)} → {E(r.RespondingParty)}</td>")
                .Append($"<td class=\"t\">{E(r.Category)} / {E(r.Priority)}</td><td class=\"t\">{T(r.SubmittedAt)}</td><td class=\"t bad\">{E(r.Level)}</td>")
                .Append($"<td class=\"t\">{(r.ResponseMetAt is { } met ? $"{T(met)} ({F(r.ResponseHours)} h)" : "none yet")}</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Quality(StringBuilder html, ReviewReport report)
    {
        html.Append("<h2 id=\"quality\">Quality of responses</h2>\n");
        html.Append("<p class=\"muted\">Rubric per request: findings 40, evidence 30, a stated mitigation 20, and no related activity after the mitigation 10. Requests without a response event are not scored.</p>\n");
        html.Append("<table id=\"quality-breakdown\"><tr><th class=\"t\">Party</th><th>Scored</th><th>Mean score</th><th>With findings</th><th>With evidence</th><th>Mitigation stated</th><th>Recurrence after mitigation</th></tr>\n");
        foreach (var party in report.Requests.GroupBy(r => r.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var scored = party.Where(r => r.QualityScore is not null).ToList();
            var mean = scored.Count == 0 ? (double?)null : RequestAssessment.Round(scored.Average(r => r.QualityScore!.Value), 2);
            var mitigated = scored.Count(r => r.QualityMitigation);
            html.Append($"<tr data-party=\"{E(party.Key)}\"><td class=\"t\">{E(party.Key)}</td><td>{N(scored.Count)}</td><td>{F(mean)}</td>")
                .Append($"<td>{N(scored.Count(r => r.QualityFindings))}</td><td>{N(scored.Count(r => r.QualityEvidence))}</td><td>{N(mitigated)}</td>")
                .Append($"<td>{N(scored.Count(r => r.QualityRecurrence == true))} of {N(mitigated)}</td></tr>\n");
        }
        html.Append("</table>\n");
        html.Append("<table id=\"quality-requests\"><tr><th class=\"t\">Request</th><th class=\"t\">Party</th><th>Score</th><th class=\"t\">Why</th></tr>\n");
        foreach (var r in report.Requests)
        {
            html.Append($"<tr><td class=\"t\"><a href=\"#{Anchor(r.RequestId)}\">{E(r.RequestId)}</a></td><td class=\"t\">{E(r.RespondingParty)}</td><td>{(r.QualityScore is { } s ? N(s) : "–")}</td>")
                .Append($"<td class=\"t\">{string.Join("<br>", r.QualityReasons.Select(E))}</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Completeness(StringBuilder html, ReviewReport report)
    {
        html.Append("<h2 id=\"completeness\">Data completeness</h2>\n");
        var files = report.Feeds.Sum(f => f.Files);
        var rejects = report.Feeds.Sum(f => f.Rejects);
        var failed = report.Feeds.Sum(f => f.Quarantined + f.Poison);
        html.Append($"<p id=\"completeness-note\">{N(files)} feed file(s) received in the period from {N(report.Feeds.Count)} source(s) (by the time each file version was written); ")
            .Append($"{N(report.Feeds.Sum(f => f.Records))} record(s) read, <span data-figure=\"rejects\">{N(rejects)}</span> record(s) rejected, {N(failed)} file(s) unreadable (quarantined or poison). ")
            .Append("The figures above count only what these feeds reported: a response that was sent but never reached a feed is not seen.</p>\n");
        if (report.Feeds.Count == 0)
        {
            return;
        }
        html.Append("<table id=\"feeds\"><tr><th class=\"t\">Source</th><th>Files</th><th>Processed</th><th>Duplicates</th><th>Quarantined</th><th>Poison</th><th>Records</th><th>Rejects</th><th>Warnings</th><th class=\"t\">Last received</th></tr>\n");
        foreach (var f in report.Feeds)
        {
            html.Append($"<tr><td class=\"t\">{E(f.Source)}</td><td>{N(f.Files)}</td><td>{N(f.Processed)}</td><td>{N(f.Duplicates)}</td><td>{N(f.Quarantined)}</td><td>{N(f.Poison)}</td>")
                .Append($"<td>{N(f.Records)}</td><td>{N(f.Rejects)}</td><td>{N(f.Warnings)}</td><td class=\"t\">{(f.LastReceived is { } at ? T(at) : "")}</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Explanations(StringBuilder html, ReviewReport report)
    {
        html.Append("<h2 id=\"explanations\">Explanations</h2>\n");
        foreach (var r in report.Requests.Where(r => r.Escalated || r.Breached))
        {
            html.Append($"<section class=\"explain\" id=\"{Anchor(r.RequestId)}\"><h3>{E(r.RequestId)}: {E(r.Level)}</h3>");
            foreach (var (clock, lines) in r.ClockExplanations)
            {
                html.Append($"<p><b>{E(clock)}</b></p><ul>{string.Concat(lines.Select(l => $"<li>{E(l)}</li>"))}</ul>");
            }
            html.Append($"<p><b>quality</b></p><ul>{string.Concat(r.QualityReasons.Select(l => $"<li>{E(l)}</li>"))}</ul></section>\n");
        }
        // Requests that are neither breached nor escalated still get an anchor, so every quality link resolves.
        foreach (var r in report.Requests.Where(r => !r.Escalated && !r.Breached))
        {
            html.Append($"<section class=\"explain\" id=\"{Anchor(r.RequestId)}\"><h3>{E(r.RequestId)}: {E(r.Level)}</h3><ul>{string.Concat(r.QualityReasons.Select(l => $"<li>{E(l)}</li>"))}</ul></section>\n");
        }
    }

    /// <summary>A fragment identifier for a request: "req-" and the ID with anything but letters, digits, '-' and '_' hex-escaped.</summary>
    public static string Anchor(string requestId)
    {
        var sb = new StringBuilder("req-");
        foreach (var c in requestId)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('.').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static string Cell(string party, string figure, string text) => $"<td data-party=\"{party}\" data-figure=\"{figure}\">{E(text)}</td>";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "–";

    private static string Pct(int part, int whole) => whole == 0 ? "–" : (100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string D(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string T(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Net;
using System.Text;

namespace Monitor.Core.Reporting;

/// <summary>
/// The semi-annual review pack as one self-contained HTML file: inline CSS and inline SVG charts, no scripts, no
/// links or images that fetch anything, so it opens the same offline, in a mail client or from a USB stick. Its print
/// CSS (A4 landscape, page numbers, a contents page, no table row split over two pages) is what
/// <see cref="ReviewPackPdf"/> prints to the PDF.
/// Key figures carry data-party/data-figure attributes so that a test (or a person's script) can read them back.
/// </summary>
public static class ReviewPackHtml
{
    private const string Style = """
        body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}
        h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
        table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;font-size:13px}
        th{background:#f2f2f2}td.t,th.t{text-align:left}.muted{color:#555;font-size:13px}small{color:#555}
        .chart{display:block;width:100%;height:auto;margin:12px 0;border:1px solid #eee}.bad{color:#b00020;font-weight:bold}
        .warning{border:2px solid #b00020;padding:8px 12px}
        section.explain{border-left:3px solid #ccc;padding-left:12px;margin:12px 0}section.explain ul{margin:4px 0}
        nav.toc ol{font-size:15px;line-height:1.8}
        @page{size:A4 landscape;margin:14mm 12mm 16mm;@bottom-center{content:PAGE_NUMBERS;font:9pt sans-serif;color:#555}}
        @media print{body{margin:0;max-width:none}nav.toc{break-after:page}h2,h3{break-after:avoid}
        .chart,tr,section.explain{break-inside:avoid}thead{display:table-header-group}a{color:inherit;text-decoration:none}}
        """;

    public static string Render(ReviewReport report, PackLanguage language = PackLanguage.En) => new Page(report, ReviewPackText.For(language)).Render();

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

    /// <summary>One rendering: the report and the languages, first one primary (dates in tables use its form).</summary>
    private sealed class Page(ReviewReport report, IReadOnlyList<ReviewPackText> texts)
    {
        private readonly StringBuilder _html = new();
        private readonly ReviewPackText _primary = texts[0];

        public string Render()
        {
            var sections = new List<(string Id, Func<ReviewPackText, string> Heading, Action Body)>
            {
                ("summary", t => t.Summary, Summary),
            };
            if (report.Unevaluated.Count > 0)
            {
                sections.Add(("not-evaluated", t => t.NotEvaluated, NotEvaluated));
            }
            sections.AddRange(
            [
                ("timeliness", t => t.Timeliness, Timeliness),
                ("groups", t => t.Groups, Groups),
                ("escalated", t => t.Escalated, Escalated),
                ("quality", t => t.Quality, Quality),
                ("completeness", t => t.Completeness, Completeness),
                ("explanations", t => t.Explanations, Explanations),
            ]);

            _html.Append($"<!DOCTYPE html>\n<html lang=\"{_primary.Lang}\"><head><meta charset=\"utf-8\">");
            _html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
            _html.Append($"<title>{Plain(t => t.Title(report.Period))}</title><style>{Style.Replace("PAGE_NUMBERS", PageNumbers(), StringComparison.Ordinal)}</style></head><body>\n");
            _html.Append($"<h1>{Label(t => t.Title(report.Period))}</h1>\n");
            Paragraphs(t => t.Intro(t.Date(report.PeriodStart), t.Date(report.PeriodEnd), t.DateTime(report.AsOf)), "class=\"muted intro\"");
            _html.Append($"<p hidden id=\"as-of\">{E(report.AsOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}</p>\n");
            _html.Append($"<nav class=\"toc\" id=\"contents\"><h2>{Label(t => t.Contents)}</h2><ol>");
            foreach (var (id, heading, _) in sections)
            {
                _html.Append($"<li><a href=\"#{id}\">{Label(heading)}</a></li>");
            }
            _html.Append("</ol></nav>\n");
            foreach (var (id, heading, body) in sections)
            {
                _html.Append($"<h2 id=\"{id}\">{Label(heading)}</h2>\n");
                body();
            }
            _html.Append("</body></html>\n");
            return _html.ToString();
        }

        private void Summary()
        {
            if (report.Parties.Count == 0)
            {
                Paragraphs(t => t.NoRequests);
            }
            else
            {
                Header("party-summary", [(t => t.Party, true), (t => t.Received, false), (t => t.AckOnTime, false), (t => t.RespOnTime, false), (t => t.RespLate, false),
                    (t => t.RespOverdue, false), (t => t.NotYetDue, false), (t => t.Withdrawn, false), (t => t.MedianHours, false), (t => t.P90Hours, false),
                    (t => t.UpdatesOnTime, false), (t => t.Breaches, false), (t => t.Escalations, false), (t => t.OpenAtEnd, false), (t => t.QualityScore, false)]);
                foreach (var party in report.Parties)
                {
                    var m = party.Metrics;
                    var p = E(party.RespondingParty);
                    _html.Append($"<tr data-party=\"{p}\"><td class=\"t\">{p}</td>")
                        .Append(Cell(p, "requests-received", N(m.RequestsReceived)))
                        .Append(Cell(p, "acknowledged-on-time", _primary.OfDue(m.AcknowledgedOnTime, m.AcknowledgementsDue), $" data-value=\"{m.AcknowledgedOnTime}\" data-due=\"{m.AcknowledgementsDue}\""))
                        .Append(Cell(p, "responded-on-time", _primary.OfDue(m.RespondedOnTime, m.ResponsesDue), $" data-value=\"{m.RespondedOnTime}\" data-due=\"{m.ResponsesDue}\""))
                        .Append(Cell(p, "responded-late", N(m.RespondedLate)))
                        .Append(Cell(p, "responses-overdue", N(m.ResponsesOverdue)))
                        .Append(Cell(p, "responses-not-yet-due", N(m.ResponsesNotYetDue)))
                        .Append(Cell(p, "responses-withdrawn", N(m.ResponsesWithdrawn)))
                        .Append(Cell(p, "median-response-hours", F(m.MedianResponseHours)))
                        .Append(Cell(p, "p90-response-hours", F(m.P90ResponseHours)))
                        .Append(Cell(p, "updates-on-time", m.UpdatesRequired == 0 ? _primary.NoneRequired : $"{N(m.UpdatesOnTime)} / {N(m.UpdatesRequired)}"))
                        .Append(Cell(p, "breaches", N(m.Breaches)))
                        .Append(Cell(p, "escalations", N(m.Escalations)))
                        .Append(Cell(p, "open-at-period-end", N(m.OpenAtPeriodEnd)))
                        .Append(Cell(p, "quality-score", F(m.QualityScore)))
                        .Append("</tr>\n");
                }
                _html.Append("</tbody></table>\n");
                foreach (var party in report.Parties)
                {
                    Paragraphs(t => t.PartySentence(party, t.DateTime(report.AsOf)), $"class=\"party-sentence\" data-party=\"{E(party.RespondingParty)}\"");
                }
            }
            if (report.Unevaluated.Count > 0)
            {
                Paragraphs(t => t.NotEvaluatedNote(report.Unevaluated.Count), "class=\"warning\"");
            }
        }

        private void NotEvaluated()
        {
            Header("not-evaluated-requests", [(t => t.Request, true), (t => t.FromTo, true), (t => t.Category, true), (t => t.Submitted, true), (t => t.Reason, true)]);
            foreach (var u in report.Unevaluated)
            {
                _html.Append($"<tr data-request=\"{E(u.RequestId)}\"><td class=\"t\">{E(u.RequestId)}</td><td class=\"t\">{E(u.RequestingParty)} → {E(u.RespondingParty)}</td>")
                    .Append($"<td class=\"t\">{E(u.Category)} / {E(u.Priority)}</td><td class=\"t\">{E(_primary.DateTime(u.SubmittedAt))}</td><td class=\"t\">{E(u.Reason)}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Timeliness()
        {
            _html.Append(ReviewPackCharts.OnTimeByMonth(report, texts)).Append('\n');
            ByMonth();
            _html.Append(ReviewPackCharts.ResponseTimesAgainstTargets(report, texts)).Append('\n');
            _html.Append(ReviewPackCharts.OpenOverdueTrend(report, texts)).Append('\n');
        }

        /// <summary>The figures of the on-time chart as a table: on time of those due, and not yet due, per party and month.</summary>
        private void ByMonth()
        {
            var months = report.OnTimeByMonth.Select(m => m.Month).Distinct().Order(StringComparer.Ordinal).ToList();
            if (months.Count == 0)
            {
                return;
            }
            _html.Append($"<h3>{Label(t => t.ByMonth)}</h3>\n<table id=\"on-time-by-month\"><thead><tr><th class=\"t\">{Label(t => t.Party)}</th>");
            foreach (var month in months)
            {
                _html.Append($"<th>{E(ReviewPackCharts.MonthLabel(month, _primary))}</th>");
            }
            _html.Append("</tr></thead><tbody>\n");
            foreach (var party in report.OnTimeByMonth.GroupBy(m => m.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                _html.Append($"<tr data-party=\"{E(party.Key)}\"><td class=\"t\">{E(party.Key)}</td>");
                foreach (var m in party.OrderBy(m => m.Month, StringComparer.Ordinal))
                {
                    _html.Append($"<td data-month=\"{m.Month}\" data-on-time=\"{m.OnTime}\" data-due=\"{m.Decided}\" data-not-yet-due=\"{m.NotYetDue}\">")
                        .Append(m.Decided == 0 ? "–" : $"{N(m.OnTime)}/{N(m.Decided)} ({ReviewPackText.Percent(m.OnTime, m.Decided)})")
                        .Append(m.NotYetDue == 0 ? "" : $"<br><small>{N(m.NotYetDue)} {E(_primary.NotYetDue)}</small>")
                        .Append("</td>");
                }
                _html.Append("</tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Groups()
        {
            Header("period-stats", [(t => t.Party, true), (t => t.Category, true), (t => t.Priority, true), (t => t.Received, false), (t => t.AckOnTime, false),
                (t => t.RespOnTime, false), (t => t.NotYetDue, false), (t => t.MedianHours, false), (t => t.P90Hours, false), (t => t.UpdatesOnTime, false),
                (t => t.Breaches, false), (t => t.Escalations, false), (t => t.OpenAtEnd, false), (t => t.QualityScore, false)]);
            foreach (var s in report.Stats)
            {
                _html.Append($"<tr data-row=\"{E(s.RowKey)}\"><td class=\"t\">{E(s.RespondingParty)}</td><td class=\"t\">{E(s.Category)}</td><td class=\"t\">{E(s.Priority)}</td>")
                    .Append($"<td>{N(s.RequestsReceived)}</td><td>{N(s.AcknowledgedOnTime)}/{N(s.AcknowledgementsDue)}</td><td>{N(s.RespondedOnTime)}/{N(s.ResponsesDue)}</td><td>{N(s.ResponsesNotYetDue)}</td>")
                    .Append($"<td>{F(s.MedianResponseHours)}</td><td>{F(s.P90ResponseHours)}</td>")
                    .Append($"<td>{(s.UpdatesRequired == 0 ? "–" : $"{N(s.UpdatesOnTime)}/{N(s.UpdatesRequired)}")}</td><td>{N(s.Breaches)}</td><td>{N(s.Escalations)}</td><td>{N(s.OpenAtPeriodEnd)}</td><td>{F(s.QualityScore)}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Escalated()
        {
            var escalated = report.Requests.Where(r => r.Escalated).ToList();
            if (escalated.Count == 0)
            {
                Paragraphs(t => t.NoEscalation);
                return;
            }
            Header("escalated-requests", [(t => t.Request, true), (t => t.FromTo, true), (t => t.Category, true), (t => t.Submitted, true),
                (t => t.EscalatedClock, true), (t => t.LevelAt(t.DateTime(report.AsOf)), true), (t => t.Response, true)]);
            foreach (var r in escalated)
            {
                _html.Append($"<tr data-request=\"{E(r.RequestId)}\"><td class=\"t\"><a href=\"#{Anchor(r.RequestId)}\">{E(r.RequestId)}</a></td><td class=\"t\">{E(r.RequestingParty)} → {E(r.RespondingParty)}</td>")
                    .Append($"<td class=\"t\">{E(r.Category)} / {E(r.Priority)}</td><td class=\"t\">{E(_primary.DateTime(r.SubmittedAt))}</td>")
                    .Append($"<td class=\"t\">{(r.EscalatedClock is { } clock ? $"{E(_primary.Clock(clock))}, {E(_primary.DateTime(r.EscalatedAt!.Value))}" : "")}</td>")
                    .Append($"<td class=\"t level\">{E(_primary.Level(r.Level))}</td>")
                    .Append($"<td class=\"t\">{(r.ResponseMetAt is { } met ? $"{E(_primary.DateTime(met))} ({F(r.ResponseHours)} h)" : E(_primary.NoneYet))}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Quality()
        {
            Paragraphs(t => t.QualityNote, "class=\"muted\"");
            Header("quality-breakdown", [(t => t.Party, true), (t => t.Scored, false), (t => t.MeanScore, false), (t => t.WithFindings, false),
                (t => t.WithEvidence, false), (t => t.MitigationStated, false), (t => t.RecurrenceAfter, false)]);
            foreach (var party in report.Requests.GroupBy(r => r.RespondingParty).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var scored = party.Where(r => r.QualityScore is not null).ToList();
                var mean = scored.Count == 0 ? (double?)null : RequestAssessment.Round(scored.Average(r => r.QualityScore!.Value), 2);
                var mitigated = scored.Count(r => r.QualityMitigation);
                _html.Append($"<tr data-party=\"{E(party.Key)}\"><td class=\"t\">{E(party.Key)}</td><td>{N(scored.Count)}</td><td>{F(mean)}</td>")
                    .Append($"<td>{N(scored.Count(r => r.QualityFindings))}</td><td>{N(scored.Count(r => r.QualityEvidence))}</td><td>{N(mitigated)}</td>")
                    .Append($"<td>{N(scored.Count(r => r.QualityRecurrence == true))} / {N(mitigated)}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
            Header("quality-requests", [(t => t.Request, true), (t => t.Party, true), (t => t.QualityScore, false), (t => t.Why, true)]);
            foreach (var r in report.Requests)
            {
                _html.Append($"<tr><td class=\"t\"><a href=\"#{Anchor(r.RequestId)}\">{E(r.RequestId)}</a></td><td class=\"t\">{E(r.RespondingParty)}</td><td>{(r.QualityScore is { } s ? N(s) : "–")}</td>")
                    .Append($"<td class=\"t\">{string.Join("<br>", r.QualityReasons.Select(E))}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Completeness()
        {
            var feeds = report.Feeds;
            Paragraphs(t => t.CompletenessNote(feeds.Sum(f => f.Files), feeds.Count, feeds.Sum(f => f.Records), feeds.Sum(f => f.Rejects), feeds.Sum(f => f.Quarantined + f.Poison)),
                "class=\"completeness-note\"");
            if (feeds.Count == 0)
            {
                return;
            }
            Header("feeds", [(t => t.Source, true), (t => t.Files, false), (t => t.Processed, false), (t => t.Duplicates, false), (t => t.Quarantined, false),
                (t => t.Poison, false), (t => t.Records, false), (t => t.Rejects, false), (t => t.Warnings, false), (t => t.LastReceived, true)]);
            foreach (var f in feeds)
            {
                _html.Append($"<tr><td class=\"t\">{E(f.Source)}</td><td>{N(f.Files)}</td><td>{N(f.Processed)}</td><td>{N(f.Duplicates)}</td><td>{N(f.Quarantined)}</td><td>{N(f.Poison)}</td>")
                    .Append($"<td>{N(f.Records)}</td><td data-figure=\"rejects\">{N(f.Rejects)}</td><td>{N(f.Warnings)}</td><td class=\"t last-received\">{(f.LastReceived is { } at ? E(_primary.DateTime(at)) : "")}</td></tr>\n");
            }
            _html.Append("</tbody></table>\n");
        }

        private void Explanations()
        {
            Paragraphs(t => t.ExplanationsNote, "class=\"muted\"");
            // Breached and escalated requests first, with every clock; the others still get an anchor, so every link resolves.
            foreach (var r in report.Requests.Where(r => r.Escalated || r.Breached).Concat(report.Requests.Where(r => !r.Escalated && !r.Breached)))
            {
                _html.Append($"<section class=\"explain\" id=\"{Anchor(r.RequestId)}\"><h3>{E(r.RequestId)}: {E(_primary.Level(r.Level))}</h3>");
                if (r.Escalated || r.Breached)
                {
                    foreach (var (clock, lines) in r.ClockExplanations)
                    {
                        _html.Append($"<p><b>{E(_primary.Clock(clock))}</b></p><ul>{string.Concat(lines.Select(l => $"<li>{E(l)}</li>"))}</ul>");
                    }
                    _html.Append($"<p><b>{Label(t => t.Quality)}</b></p>");
                }
                _html.Append($"<ul>{string.Concat(r.QualityReasons.Select(l => $"<li>{E(l)}</li>"))}</ul></section>\n");
            }
        }

        /// <summary>Opens a table with its header row: each label in every language (a left-aligned column when true).</summary>
        private void Header(string id, IEnumerable<(Func<ReviewPackText, string> Label, bool Text)> columns)
        {
            _html.Append($"<table id=\"{id}\"><thead><tr>");
            foreach (var (label, text) in columns)
            {
                _html.Append(text ? "<th class=\"t\">" : "<th>").Append(Label(label, "<br>")).Append("</th>");
            }
            _html.Append("</tr></thead><tbody>\n");
        }

        /// <summary>A label in every language: "English · 中文" (or on separate lines), each marked with its lang.</summary>
        private string Label(Func<ReviewPackText, string> pick, string separator = " · ") =>
            texts.Count == 1 ? E(pick(texts[0])) : string.Join(separator, texts.Select(t => $"<span lang=\"{t.Lang}\">{E(pick(t))}</span>"));

        private string Plain(Func<ReviewPackText, string> pick) => E(string.Join(" · ", texts.Select(pick)));

        /// <summary>One paragraph per language.</summary>
        private void Paragraphs(Func<ReviewPackText, string> pick, string attributes = "")
        {
            foreach (var t in texts)
            {
                _html.Append($"<p lang=\"{t.Lang}\"{(attributes.Length > 0 ? " " + attributes : "")}>{E(pick(t))}</p>\n");
            }
        }

        /// <summary>The CSS content of the page-number box, e.g. "Page " counter(page) " of " counter(pages), in every language.</summary>
        private string PageNumbers() => string.Join(" \" · \" ", texts.Select(t =>
            string.Join(" ", t.PageOf.Split(["{0}", "{1}"], StringSplitOptions.None)
                .Select((part, i) => $"\"{part}\"" + (i == 0 ? " counter(page)" : i == 1 ? " counter(pages)" : "")))));

        private static string Cell(string party, string figure, string text, string attributes = "") =>
            $"<td data-party=\"{party}\" data-figure=\"{figure}\"{attributes}>{E(text)}</td>";
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "–";
}

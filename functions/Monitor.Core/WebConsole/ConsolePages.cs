using System.Globalization;
using System.Net;
using System.Text;
using Monitor.Core.Reporting;
using Monitor.Core.Sla;
using NodaTime;
using NodaTime.Text;

namespace Monitor.Core.WebConsole;

/// <summary>
/// The console's pages as HTML, from the reporting API's answers. Every value is HTML-encoded; there is no inline script or
/// style (the CSP forbids both). Instants are shown in UTC (ISO-8601, in a <c>time</c> element) and in each party's zone.
/// </summary>
internal static class ConsolePages
{
    private static readonly string[] Levels = [.. Enum.GetValues<ClockLevel>().Select(ClockLevels.Name)];
    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.CreateWithInvariantCulture("ddd uuuu'-'MM'-'dd HH':'mm");

    /// <summary>How often the board refreshes itself, in seconds (the sweep runs every few minutes).</summary>
    public const int BoardRefreshSeconds = 60;

    public static ConsoleResponse Board(BoardPage board)
    {
        var html = new StringBuilder();
        html.Append("<h1>Open requests</h1>");
        html.Append("<form id=\"filters\" class=\"filters\" method=\"get\" action=\"/\" aria-label=\"Filter and sort the board\">");
        Select(html, "party", "Responding party", board.Parties, Selected(board, "party"));
        Select(html, "level", "Level", Levels, Selected(board, "level"));
        Select(html, "category", "Category", board.Categories, Selected(board, "category"));
        Select(html, "priority", "Priority", Core.Feeds.RequestRegisterParser.Priorities, Selected(board, "priority"));
        html.Append("<label for=\"sort\">Sort<select id=\"sort\" name=\"sort\">");
        Option(html, "due", "by due instant", board.Sort == BoardSort.Due);
        Option(html, "id", "by request ID", board.Sort == BoardSort.Id);
        html.Append("</select></label>");
        html.Append("<button type=\"submit\">Apply</button>");
        html.Append("<button type=\"button\" id=\"refresh\" class=\"secondary\" hidden>Refresh now</button>");
        html.Append("</form>");
        html.Append("<p id=\"board-status\" role=\"status\" aria-live=\"polite\">")
            .Append(E(BoardStatus(board.Answer))).Append("</p>");
        html.Append("<div id=\"board\" data-as-of=\"").Append(Iso(board.Answer.AsOf)).Append("\" data-refresh-seconds=\"")
            .Append(BoardRefreshSeconds).Append("\">");
        BoardTable(html, board.Answer, board.Sort);
        html.Append("</div>");
        return Page("Board", "/", html.ToString());
    }

    private static string BoardStatus(BoardAnswer answer) =>
        $"{answer.Count} of {answer.Total} open requests. Levels as of the last sweep; time left counted from {Iso(answer.AsOf)}.";

    private static void BoardTable(StringBuilder html, BoardAnswer answer, BoardSort sort)
    {
        if (answer.Requests.Count == 0)
        {
            html.Append("<p>No open request matches these filters.</p>");
            return;
        }
        html.Append("<table id=\"board-table\"><caption>")
            .Append(sort == BoardSort.Due ? "Open requests, the next due instant of a running clock first" : "Open requests by ID").Append("</caption><thead><tr>")
            .Append("<th scope=\"col\">Request</th><th scope=\"col\">Level</th><th scope=\"col\">Responding party</th><th scope=\"col\">Requesting party</th>")
            .Append("<th scope=\"col\">Priority</th><th scope=\"col\">Category</th><th scope=\"col\">Clocks: level, due instant, time left</th></tr></thead><tbody>");
        foreach (var r in answer.Requests)
        {
            var zones = PartyZones(answer.Zones, r.RespondingParty, r.RequestingParty);
            html.Append("<tr data-request-id=\"").Append(E(r.RequestId)).Append("\" data-level=\"").Append(E(r.Level ?? ""))
                .Append("\" data-responding-party=\"").Append(E(r.RespondingParty)).Append("\">");
            html.Append("<th scope=\"row\"><a href=\"/requests/").Append(Uri.EscapeDataString(r.RequestId)).Append("\">").Append(E(r.RequestId)).Append("</a>");
            if (!string.IsNullOrEmpty(r.Summary))
            {
                html.Append("<span class=\"zones\">").Append(E(r.Summary)).Append("</span>");
            }
            html.Append("</th><td>").Append(Level(r.Level)).Append("</td>");
            html.Append("<td>").Append(E(r.RespondingParty)).Append("</td><td>").Append(E(r.RequestingParty)).Append("</td>");
            html.Append("<td>").Append(E(r.Priority)).Append("</td><td>").Append(E(r.Category)).Append("</td><td><ul class=\"clocks\">");
            foreach (var c in r.Clocks)
            {
                html.Append("<li data-clock=\"").Append(E(c.Clock)).Append("\"><strong>").Append(E(c.Clock)).Append("</strong> ").Append(Level(c.Level));
                if (c.DueAt is { } due)
                {
                    html.Append(" due ").Append(Instant(due, zones));
                }
                if (c.SecondsLeft is { } left)
                {
                    html.Append(' ').Append(TimeLeft(left));
                }
                html.Append("</li>");
            }
            html.Append("</ul></td></tr>");
        }
        html.Append("</tbody></table>");
    }

    public static ConsoleResponse Request(RequestDetailAnswer answer)
    {
        var r = answer.Request;
        var zones = PartyZones(answer.Zones, r.RespondingParty, r.RequestingParty);
        var html = new StringBuilder();
        html.Append("<p><a href=\"/\">← Board</a></p>");
        html.Append("<h1 id=\"request\" data-request-id=\"").Append(E(r.RequestId)).Append("\" data-level=\"").Append(E(answer.Level)).Append("\">Request ")
            .Append(E(r.RequestId)).Append(' ').Append(Level(answer.Level)).Append("</h1>");
        if (!string.IsNullOrEmpty(r.Summary))
        {
            html.Append("<p>").Append(E(r.Summary)).Append("</p>");
        }
        html.Append("<dl class=\"facts\">");
        Fact(html, "Evaluated at", Instant(answer.AsOf, zones));
        Fact(html, "Requesting party", E(r.RequestingParty) + ZoneNote(answer.Zones, r.RequestingParty));
        Fact(html, "Responding party", E(r.RespondingParty) + ZoneNote(answer.Zones, r.RespondingParty));
        Fact(html, "Category", E(r.Category));
        Fact(html, "Priority", E(r.Priority));
        Fact(html, "Status", E(r.Status) + (r.StatusChangedAt is { } changed ? " since " + Instant(changed, zones) : ""));
        Fact(html, "Submitted", Instant(r.SubmittedAt, zones));
        Fact(html, "Last sweep", r.EvaluatedAt is { } swept ? Level(r.Level) + " at " + Instant(swept, zones) : "not swept yet");
        html.Append("</dl>");

        html.Append("<h2 id=\"clocks\">Clocks</h2>");
        html.Append("<table><caption>Each clock at the instant above: level, due and escalation instants, and the engine's explanation (start, pauses, calendar)</caption><thead><tr>")
            .Append("<th scope=\"col\">Clock</th><th scope=\"col\">Level</th><th scope=\"col\">Target</th><th scope=\"col\">Due</th>")
            .Append("<th scope=\"col\">Escalation</th><th scope=\"col\">Met</th><th scope=\"col\">Why</th></tr></thead><tbody>");
        foreach (var c in answer.Clocks)
        {
            html.Append("<tr data-clock=\"").Append(E(c.Clock)).Append("\" data-level=\"").Append(E(c.Level)).Append("\"><th scope=\"row\">").Append(E(c.Clock));
            if (c.Clock == "update")
            {
                html.Append(" (cycle ").Append(c.Cycle.ToString(CultureInfo.InvariantCulture)).Append(')');
            }
            html.Append("</th><td>").Append(Level(c.Level)).Append("</td>");
            html.Append("<td>").Append(E(Hours(c.TargetHours))).Append(" on ").Append(E(c.Calendar)).Append("</td>");
            html.Append("<td>").Append(c.DueAt is { } due ? Instant(due, zones) : "none while paused").Append("</td>");
            html.Append("<td>").Append(c.EscalateAt is { } escalate ? Instant(escalate, zones) : "—").Append("</td>");
            html.Append("<td>").Append(c.MetAt is { } met ? Instant(met, zones) : "—").Append("</td>");
            html.Append("<td><p>").Append(E(c.Why)).Append("</p>");
            if (c.Explanation.Count > 0)
            {
                html.Append("<ul class=\"plain explanation\">");
                foreach (var line in c.Explanation)
                {
                    html.Append("<li>").Append(E(line)).Append("</li>");
                }
                html.Append("</ul>");
            }
            html.Append("</td></tr>");
        }
        html.Append("</tbody></table>");

        html.Append("<h2 id=\"timeline\">Timeline</h2>");
        if (answer.Timeline.Count == 0)
        {
            html.Append("<p>No event has been matched to this request yet.</p>");
        }
        else
        {
            var matches = answer.Matches.ToLookup(m => (m.Source, m.RecordId));
            html.Append("<table><caption>Events, newest first, with what matched and why</caption><thead><tr>")
                .Append("<th scope=\"col\">When</th><th scope=\"col\">Kind</th><th scope=\"col\">Effect</th><th scope=\"col\">Source and record</th>")
                .Append("<th scope=\"col\">Reporter</th><th scope=\"col\">Matched by</th><th scope=\"col\">Summary</th></tr></thead><tbody>");
            foreach (var e in answer.Timeline)
            {
                html.Append("<tr><td>").Append(Instant(e.OccurredAt, zones)).Append("</td><td>").Append(E(e.Kind)).Append("</td><td>").Append(E(e.Effect)).Append("</td>");
                html.Append("<td>").Append(E(e.Source)).Append(" / ").Append(E(e.RecordId)).Append("</td>");
                html.Append("<td>").Append(E(e.Reporter ?? "")).Append(e.ReporterParty is { } party ? " (" + E(party) + ")" : "").Append("</td><td>");
                var why = matches[(e.Source, e.RecordId)].ToList();
                if (why.Count == 0)
                {
                    html.Append(E(e.MatchTypes));
                }
                else
                {
                    html.Append("<ul class=\"plain\">");
                    foreach (var m in why)
                    {
                        html.Append("<li>").Append(E(m.MatchType)).Append(": <code>").Append(E(m.Indicator)).Append("</code>");
                        if (m.RequestIndicator != m.Indicator)
                        {
                            html.Append(" ↔ <code>").Append(E(m.RequestIndicator)).Append("</code>");
                        }
                        html.Append("</li>");
                    }
                    html.Append("</ul>");
                }
                html.Append("</td><td>").Append(E(e.Summary ?? ""));
                var quality = new[] { e.HasFindings == true ? "findings" : null, e.HasEvidence == true ? "evidence" : null, string.IsNullOrEmpty(e.Mitigation) ? null : "mitigation: " + e.Mitigation }
                    .Where(q => q is not null).ToList();
                if (quality.Count > 0)
                {
                    html.Append("<span class=\"zones\">").Append(E(string.Join("; ", quality))).Append("</span>");
                }
                html.Append("</td></tr>");
            }
            html.Append("</tbody></table>");
        }

        html.Append("<h2 id=\"quality\">Quality</h2><p>")
            .Append(answer.Quality.Score is { } score ? "Score " + score.ToString(CultureInfo.InvariantCulture) + " of 100." : "Not scored yet.").Append("</p>");
        if (answer.Quality.Reasons.Count > 0)
        {
            html.Append("<ul>");
            foreach (var reason in answer.Quality.Reasons)
            {
                html.Append("<li>").Append(E(reason)).Append("</li>");
            }
            html.Append("</ul>");
        }

        html.Append("<h2 id=\"alerts\">Alerts</h2>");
        if (answer.Alerts.Count == 0)
        {
            html.Append("<p>No alert has been raised for this request.</p>");
        }
        else
        {
            html.Append("<table><caption>Alerts, oldest first, and their deliveries</caption><thead><tr>")
                .Append("<th scope=\"col\">Clock</th><th scope=\"col\">Level</th><th scope=\"col\">Reached</th><th scope=\"col\">Raised by the sweep</th>")
                .Append("<th scope=\"col\">Due</th><th scope=\"col\">Deliveries</th></tr></thead><tbody>");
            foreach (var a in answer.Alerts)
            {
                html.Append("<tr><th scope=\"row\">").Append(E(a.Clock)).Append(a.Clock == "update" ? " (cycle " + a.Cycle.ToString(CultureInfo.InvariantCulture) + ")" : "").Append("</th>");
                html.Append("<td>").Append(Level(a.PreviousLevel)).Append(" → ").Append(Level(a.Level)).Append("</td>");
                html.Append("<td>").Append(Instant(a.ReachedAt, zones)).Append("</td><td>").Append(Instant(a.RaisedAt, zones)).Append("</td>");
                html.Append("<td>").Append(a.DueAt is { } due ? Instant(due, zones) : "—").Append("</td>");
                html.Append("<td><ul class=\"plain\">");
                var deliveries = answer.Deliveries.Where(d => d.AlertId == a.AlertId).ToList();
                if (deliveries.Count == 0)
                {
                    html.Append("<li>none recorded</li>");
                }
                foreach (var d in deliveries)
                {
                    html.Append("<li>").Append(E(d.Route)).Append(' ').Append(E(d.Channel)).Append(": ").Append(E(d.Status))
                        .Append(d.Attempts > 1 ? $" after {d.Attempts.ToString(CultureInfo.InvariantCulture)} attempts" : "")
                        .Append(d.LastError is { } error && d.Status != "delivered" ? " (" + E(error) + ")" : "").Append("</li>");
                }
                html.Append("</ul></td></tr>");
            }
            html.Append("</tbody></table>");
        }
        return Page("Request " + r.RequestId, "", html.ToString());
    }

    public static ConsoleResponse Feeds(FeedsAnswer answer, PullListAnswer pulls)
    {
        var html = new StringBuilder();
        html.Append("<h1>Feeds</h1>");
        html.Append("<h2 id=\"pulls\">Pulled sources</h2>");
        if (pulls.Count == 0)
        {
            html.Append("<p>No source is pulled (config/sources.json gives no <code>pull</code> block).</p>");
        }
        else
        {
            html.Append("<table><caption>Each pulled source: its last pull, what it wrote, its cursor and its last error</caption><thead><tr>")
                .Append("<th scope=\"col\">Source</th><th scope=\"col\">Kind</th><th scope=\"col\">Schedule</th><th scope=\"col\">Last pull</th><th scope=\"col\">Last success</th>")
                .Append("<th scope=\"col\">Blobs</th><th scope=\"col\">Cursor</th><th scope=\"col\">Failures in a row</th><th scope=\"col\">Last error</th></tr></thead><tbody>");
            foreach (var p in pulls.Sources)
            {
                html.Append("<tr><th scope=\"row\">").Append(E(p.Source)).Append(p.Configured ? "" : " (no longer configured)").Append("</th><td>").Append(E(p.Kind))
                    .Append("</td><td><code>").Append(E(p.Schedule ?? "")).Append("</code></td><td>").Append(p.LastPullAt is { } at ? Instant(at, []) : "never")
                    .Append("</td><td>").Append(p.LastSuccessAt is { } ok ? Instant(ok, []) : "never").Append("</td><td class=\"num\">")
                    .Append(p.LastBlobs.ToString(CultureInfo.InvariantCulture)).Append("</td><td><code>").Append(E(p.Cursor ?? p.HttpETag ?? "")).Append("</code></td><td class=\"num\">")
                    .Append(p.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(p.LastError is { } error ? E(error) + (p.LastErrorAt is { } when ? " (" + Instant(when, []) + ")" : "") : "").Append("</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        html.Append("<p>").Append(answer.Count.ToString(CultureInfo.InvariantCulture)).Append(" newest of ")
            .Append(answer.Total.ToString(CultureInfo.InvariantCulture)).Append(" feed runs (one per file version), newest first.</p>");
        html.Append("<h2 id=\"quarantine\">Quarantine</h2>");
        if (answer.Quarantine.Count == 0)
        {
            html.Append("<p>No file is in quarantine.</p>");
        }
        else
        {
            html.Append("<table><caption>Files set aside whole, with the reason (the file is kept under quarantine/)</caption><thead><tr>")
                .Append("<th scope=\"col\">File</th><th scope=\"col\">Source</th><th scope=\"col\">Outcome</th><th scope=\"col\">Received</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
            foreach (var q in answer.Quarantine)
            {
                html.Append("<tr><th scope=\"row\"><code>").Append(E(q.BlobName)).Append("</code></th><td>").Append(E(q.Source)).Append("</td><td>").Append(E(q.Outcome))
                    .Append("</td><td>").Append(Instant(q.BlobLastModified, [])).Append("</td><td>").Append(E(q.Reason)).Append("</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        html.Append("<h2 id=\"runs\">Feed runs</h2>");
        if (answer.Runs.Count == 0)
        {
            html.Append("<p>No feed has been received yet.</p>");
        }
        else
        {
            html.Append("<table><caption>The feed-run ledger: outcome, records, rejects and warnings of each file version</caption><thead><tr>")
                .Append("<th scope=\"col\">File</th><th scope=\"col\">Source</th><th scope=\"col\">Received</th><th scope=\"col\">Outcome</th><th scope=\"col\">Format</th>")
                .Append("<th scope=\"col\">Records</th><th scope=\"col\">Matched</th><th scope=\"col\">Events</th><th scope=\"col\">Rejects</th><th scope=\"col\">Warnings</th></tr></thead><tbody>");
            foreach (var run in answer.Runs)
            {
                html.Append("<tr><th scope=\"row\"><code>").Append(E(run.BlobName)).Append("</code>");
                if (run.Problems.Count > 0)
                {
                    html.Append("<details><summary>").Append(run.Problems.Count.ToString(CultureInfo.InvariantCulture)).Append(" rejects and warnings")
                        .Append(run.Problems.Count < run.Rejects + run.Warnings ? " (the first)" : "").Append("</summary><ul class=\"plain\">");
                    foreach (var p in run.Problems)
                    {
                        html.Append("<li>").Append(E(p.Severity)).Append(", ").Append(E(p.Location)).Append(p.RecordId is { Length: > 0 } id ? " (record " + E(id) + ")" : "")
                            .Append(": ").Append(E(p.Reason)).Append("</li>");
                    }
                    html.Append("</ul></details>");
                }
                if (!string.IsNullOrEmpty(run.Error))
                {
                    html.Append("<span class=\"zones\">").Append(E(run.Error)).Append("</span>");
                }
                if (!string.IsNullOrEmpty(run.DuplicateOf))
                {
                    html.Append("<span class=\"zones\">same content as run ").Append(E(run.DuplicateOf)).Append("</span>");
                }
                html.Append("</th><td>").Append(E(run.Source)).Append("</td><td>").Append(Instant(run.BlobLastModified, [])).Append("</td><td>").Append(E(run.Outcome))
                    .Append("</td><td>").Append(E(run.Format ?? "")).Append("</td>");
                foreach (var n in new[] { run.Records, run.MatchedRecords, run.Events, run.Rejects, run.Warnings })
                {
                    html.Append("<td class=\"num\">").Append(n.ToString(CultureInfo.InvariantCulture)).Append("</td>");
                }
                html.Append("</tr>");
            }
            html.Append("</tbody></table>");
        }
        return Page("Feeds", "/feeds", html.ToString());
    }

    public static ConsoleResponse Review(ReviewChoice choice)
    {
        var html = new StringBuilder();
        html.Append("<h1>Semi-annual review</h1>");
        html.Append("<form class=\"filters\" method=\"get\" action=\"/review\"><label for=\"period\">Period<select id=\"period\" name=\"period\">");
        foreach (var name in choice.Offered.Union(choice.Period is { } p ? [p.Name] : []))
        {
            Option(html, name, name, name == choice.Period?.Name);
        }
        html.Append("</select></label><button type=\"submit\" id=\"show-pack\">Show the pack</button></form>");
        if (choice.Period is { } period)
        {
            var api = "/" + ApiRoutes.Prefix + "/reports/" + Uri.EscapeDataString(period.Name);
            html.Append("<h2 id=\"pack\">Review pack ").Append(E(period.Name)).Append("</h2>");
            html.Append("<p>Computed by the reporting API from the tables at the moment it is opened (opening it writes nothing). ")
                .Append("The PDF is the one the last <code>monitor report ").Append(E(period.Name)).Append(" --out DIR</code> printed and stored.</p><ul>");
            var links = new List<(string Query, string Label)>
            {
                ("format=html&lang=en", "The pack (HTML, English)"),
                ("format=html&lang=zh", "The pack (HTML, 简体中文)"),
                ("format=html&lang=both", "The pack (HTML, both languages)"),
                ("format=pdf", "The pack (PDF)"),
                ("format=json", "The whole report (JSON)"),
            };
            links.AddRange(ReportFormats.CsvFiles.Select(file => ("format=csv&file=" + Uri.EscapeDataString(file), file + " (CSV)")));
            foreach (var (query, label) in links)
            {
                html.Append("<li><a href=\"").Append(E(api + "?" + query)).Append("\">").Append(E(label)).Append("</a></li>");
            }
            html.Append("</ul>");
            html.Append("<iframe class=\"pack\" title=\"Review pack ").Append(E(period.Name)).Append("\" src=\"").Append(E(api + "?format=html")).Append("\"></iframe>");
        }
        return Page("Review", "/review", html.ToString());
    }

    /// <summary>A page that says what went wrong, with its status code.</summary>
    public static ConsoleResponse Problem(int status, string title, string message) =>
        Page(title, "", $"<h1>{E(title)}</h1><p class=\"error\">{E(message)}</p>", status);

    /// <summary>The sign-in page `monitor serve` shows without a key: the key is asked once and kept for the session.</summary>
    public static ConsoleResponse SignIn(string returnPath, bool wrongKey) =>
        Page("Sign in", "", new StringBuilder()
            .Append("<h1>Sign in</h1>")
            .Append(wrongKey ? "<p class=\"error\" role=\"alert\">That key is not the server's key.</p>" : "")
            .Append("<p>Enter the key that <code>monitor serve</code> printed (or <code>$MONITOR_API_KEY</code>). It is kept for this browser session only.</p>")
            .Append("<form class=\"filters\" method=\"get\" action=\"").Append(E(returnPath)).Append("\">")
            .Append("<label for=\"code\">Key<input id=\"code\" name=\"code\" type=\"password\" autocomplete=\"current-password\" required></label>")
            .Append("<button type=\"submit\">Sign in</button></form>").ToString(), 401);

    private static ConsoleResponse Page(string title, string current, string main, int status = 200)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · Monitor</title>")
            // No favicon request: an empty data: icon (the CSP allows data: images).
            .Append("<link rel=\"icon\" href=\"data:,\">")
            .Append("<link rel=\"stylesheet\" href=\"/console/").Append(ConsoleAssets.Stylesheet).Append("\">")
            .Append("<script src=\"/console/").Append(ConsoleAssets.Script).Append("\" defer></script></head><body>")
            .Append("<a class=\"skip\" href=\"#main\">Skip to the content</a>")
            .Append("<header><span class=\"brand\">Monitor</span><nav aria-label=\"Console\">");
        foreach (var (href, label) in new[] { ("/", "Board"), ("/feeds", "Feeds"), ("/review", "Review") })
        {
            html.Append("<a href=\"").Append(href).Append('"').Append(href == current ? " aria-current=\"page\"" : "").Append('>').Append(label).Append("</a>");
        }
        html.Append("</nav></header><main id=\"main\" tabindex=\"-1\">").Append(main).Append("</main></body></html>");
        return new ConsoleResponse(status, ConsoleResponse.HtmlType, html.ToString());
    }

    /// <summary>An instant in UTC (ISO-8601) and in each given zone: "2026-11-20T09:00:00Z" and "CN: Fri 2026-11-20 17:00 +08 (Asia/Shanghai)".</summary>
    private static string Instant(DateTimeOffset at, IReadOnlyList<(string Party, DateTimeZone Zone)> zones)
    {
        var iso = Iso(at);
        var html = new StringBuilder("<time datetime=\"").Append(iso).Append("\">").Append(iso).Append("</time>");
        if (zones.Count > 0)
        {
            html.Append("<span class=\"zones\">");
            var instant = NodaTime.Instant.FromDateTimeOffset(at);
            foreach (var (party, zone) in zones)
            {
                var local = instant.InZone(zone);
                html.Append("<span class=\"zone\" data-zone=\"").Append(E(zone.Id)).Append("\">").Append(E(party)).Append(": ")
                    .Append(E(LocalPattern.Format(local.LocalDateTime))).Append(' ').Append(E(OffsetPattern.GeneralInvariant.Format(local.Offset)))
                    .Append(" (").Append(E(zone.Id)).Append(")</span> ");
            }
            html.Length--;
            html.Append("</span>");
        }
        return html.ToString();
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString(at.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The zones of the responding and requesting party (each once, in that order), from the answer's zone map.</summary>
    private static List<(string Party, DateTimeZone Zone)> PartyZones(IReadOnlyDictionary<string, string> zones, params string[] parties)
    {
        var result = new List<(string, DateTimeZone)>();
        foreach (var party in parties.Distinct(StringComparer.Ordinal))
        {
            if (zones.TryGetValue(party, out var id) && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is { } zone)
            {
                result.Add((party, zone));
            }
        }
        return result;
    }

    private static string ZoneNote(IReadOnlyDictionary<string, string> zones, string party) =>
        zones.TryGetValue(party, out var id) ? " <span class=\"muted\">(" + E(id) + ")</span>" : " <span class=\"muted\">(no calendar)</span>";

    /// <summary>"due in 1d 3h" while time is left, "2h 5m past due" after.</summary>
    private static string TimeLeft(long seconds) => seconds >= 0
        ? "<span class=\"left\">due in " + E(Span(seconds)) + "</span>"
        : "<span class=\"late\">" + E(Span(-seconds)) + " past due</span>";

    private static string Span(long seconds)
    {
        var (days, hours, minutes) = (seconds / 86400, seconds % 86400 / 3600, seconds % 3600 / 60);
        return days > 0 ? $"{days}d {hours}h" : hours > 0 ? $"{hours}h {minutes}m" : $"{minutes}m";
    }

    private static string Hours(double hours) => hours.ToString("0.##", CultureInfo.InvariantCulture) + " h";

    private static string Level(string? level) => string.IsNullOrEmpty(level)
        ? "<span class=\"level level-pending\">not swept</span>"
        : "<span class=\"level level-" + E(level) + "\">" + E(level) + "</span>";

    private static void Fact(StringBuilder html, string term, string definitionHtml) =>
        html.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(definitionHtml).Append("</dd>");

    private static void Select(StringBuilder html, string name, string label, IEnumerable<string> values, string? selected)
    {
        html.Append("<label for=\"").Append(name).Append("\">").Append(E(label)).Append("<select id=\"").Append(name).Append("\" name=\"").Append(name).Append("\">");
        Option(html, "", "all", selected is null);
        foreach (var value in values)
        {
            Option(html, value, value, string.Equals(value, selected, StringComparison.Ordinal));
        }
        html.Append("</select></label>");
    }

    private static void Option(StringBuilder html, string value, string text, bool selected) =>
        html.Append("<option value=\"").Append(E(value)).Append('"').Append(selected ? " selected" : "").Append('>').Append(E(text)).Append("</option>");

    private static string? Selected(BoardPage board, string name) => name switch
    {
        "party" => board.Query?.Party,
        "level" => board.Query?.Level,
        "category" => board.Query?.Category,
        _ => board.Query?.Priority,
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>The board's answer and the query that asked for it (the form shows the filters in force).</summary>
internal sealed record BoardPage(BoardAnswer Answer, BoardQuery? Query)
{
    public IReadOnlyList<string> Parties => Answer.Parties;
    public IReadOnlyList<string> Categories => Answer.Categories;
    public BoardSort Sort => Query?.Sort ?? BoardSort.Due;
}

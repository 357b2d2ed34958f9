using Monitor.Core.Alerts;
using Monitor.Core.Digests;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// Console output that more than one verb prints: the requests table (`requests`, `run --once`), the matches table
/// (`matches`, `run --once`) and the sweep summary (`sweep`, `run --once`).
/// </summary>
internal static class SharedOutput
{
    public static void Sweep(SweepResult result, DigestWriteResult? digest, DigestMailResult? digestMail = null)
    {
        foreach (var line in LocalHost.SweepLines(result))
        {
            AnsiConsole.MarkupLineInterpolated($"{line}");
        }
        if (result.SkippedBecause is not null)
        {
            return;
        }
        if (result.Deliveries != DeliveryRound.None)
        {
            AnsiConsole.MarkupLineInterpolated($"Deliveries (queue, e-mail, Teams, Slack): {result.Deliveries.Delivered} delivered, {result.Deliveries.Failed} failed, {result.Deliveries.Deferred} deferred to a later sweep.");
        }
        if (result.NotificationsError is { } notificationsError)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{notificationsError}[/]");
        }
        if (digest is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"{LocalHost.DigestLine(digest)}");
        }
        if (digestMail is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"{LocalHost.DigestMailLine(digestMail)}");
        }
    }

    public static void RequestsTable(string title, IReadOnlyList<RequestEntity> rows)
    {
        if (rows.Count == 0)
        {
            AnsiConsole.MarkupLineInterpolated($"{title}: none.");
            return;
        }
        var table = new Table().Title(Markup.Escape(title)).AddColumns("Request", "From→To", "Priority", "Level", "Ack", "Ack due (UTC)", "Response", "Response due (UTC)", "Update", "Update due (UTC)");
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.RequestId), $"{r.RequestingParty}→{r.RespondingParty}", r.Priority, Colour(r.Level), Colour(r.AckLevel), Time(r.AckDueAt),
                Colour(r.ResponseLevel), Time(r.ResponseDueAt), Colour(r.UpdateLevel), Time(r.UpdateDueAt));
        }
        AnsiConsole.Write(table);
    }

    /// <summary>
    /// The matches table, made to fit a 100- to 120-column terminal (and wrapped by Spectre on a narrower one): the request
    /// value under the feed value when they differ, the source above the record ID, values longer than
    /// <see cref="ValueWidth"/> cut in the middle. Record IDs are never cut: a MISP "event/attribute" or a STIX
    /// "type--uuid" is broken after its '/' or '--', so the part that tells two records apart is always whole on its line.
    /// `--format csv|json` gives every value whole.
    /// </summary>
    public static void MatchesTable(IReadOnlyList<MatchEntity> rows, IAnsiConsole? console = null)
    {
        console ??= AnsiConsole.Console;
        if (rows.Count == 0)
        {
            console.MarkupLine("Matches: none.");
            return;
        }
        var records = rows.Select(m => $"{m.Source}\n{RecordLines(m.RecordId)}").ToList();
        // The record column gets the width of its longest line (up to a bound), so that Spectre shrinks the values instead.
        var longest = records.SelectMany(r => r.Split('\n')).Max(l => l.Length);
        var recordColumn = new TableColumn("Source, record");
        // Each line whole on a 100-column terminal when they all fit the bound; narrower, Spectre wraps (never cuts) them.
        _ = longest <= MaxRecordWidth && console.Profile.Width >= 100 ? recordColumn.NoWrap() : recordColumn.Width(MaxRecordWidth + 2);
        var table = new Table().Title("Matches").Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Request").NoWrap())
            .AddColumn(new TableColumn("Match").NoWrap())
            .AddColumn(new TableColumn("Feed value (request value)"))
            .AddColumn(recordColumn)
            .AddColumn(new TableColumn("Kind").NoWrap());
        foreach (var (m, record) in rows.Zip(records).OrderBy(p => p.First.RequestId, StringComparer.Ordinal).ThenBy(p => p.First.Source, StringComparer.Ordinal).ThenBy(p => p.First.RecordId, StringComparer.Ordinal))
        {
            var value = m.RequestIndicator == m.Indicator ? Shorten(m.Indicator) : $"{Shorten(m.Indicator)}\n({Shorten(m.RequestIndicator)})";
            table.AddRow(Markup.Escape(m.RequestId), m.MatchType, Markup.Escape(value), Markup.Escape(record), Markup.Escape(m.Kind ?? ""));
        }
        console.Write(table);
    }

    /// <summary>Widest the record column is made: a UUID and its '/' fit.</summary>
    private const int MaxRecordWidth = 40;

    /// <summary>Longest value shown whole in the matches table.</summary>
    public const int ValueWidth = 36;

    /// <summary>A record ID whole, broken after a MISP '/' or a STIX '--' so that its distinguishing part has a line of its own.</summary>
    private static string RecordLines(string recordId)
    {
        foreach (var separator in (string[])["/", "--"])
        {
            var at = recordId.LastIndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && at + separator.Length < recordId.Length)
            {
                return $"{recordId[..(at + separator.Length)]}\n{recordId[(at + separator.Length)..]}";
            }
        }
        return recordId;
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "";

    private static string Colour(string? level) => level switch
    {
        "escalated" => "[bold red]escalated[/]",
        "overdue" => "[red]overdue[/]",
        "at-risk" => "[yellow]at-risk[/]",
        "met" => "[green]met[/]",
        "met-late" => "[darkorange]met-late[/]",
        null => "",
        _ => Markup.Escape(level),
    };

    /// <summary>Cut in the middle, so both the start and the end (where values differ most) stay visible.</summary>
    private static string Shorten(string value) =>
        value.Length <= ValueWidth ? value : $"{value[..((ValueWidth / 2) - 1)]}…{value[^(ValueWidth / 2)..]}";
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>
/// Computes a period's statistics and review report from the tables, stores the PeriodStats rows and the pack.
/// On demand only: it reads every request submitted before the period's end and its timeline, which costs far more
/// than a sweep (the sweep reads only the requests whose level can change), so the sweep does not call it.
/// </summary>
public sealed class ReportService(
    MonitorStorage storage,
    RequestStore requests,
    RequestTimeline timelines,
    FeedRunStore feedRuns,
    PeriodStatsStore periodStats,
    MonitorConfiguration configuration,
    IOptions<MonitorOptions> options)
{
    /// <summary>The folder of the reports container that holds the review packs: review/&lt;period&gt;/.</summary>
    public const string PackFolder = "review/";

    private static readonly TimeSpan TrendStep = TimeSpan.FromDays(7);

    /// <summary>Computes the report of <paramref name="period"/> as known at <paramref name="asOf"/>; writes nothing.</summary>
    public async Task<ReviewReport> ComputeAsync(ReportPeriod period, Instant asOf, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var config = await configuration.LoadAsync(cancellationToken);
        var cutoff = Instant.Min(period.End, asOf);
        var periodStart = period.Start.ToDateTimeOffset();

        // Requests submitted before the cutoff that were not closed before the period began: the ones submitted in the
        // period make the statistics; the older ones can still be overdue during it (the trend).
        var rows = new List<RequestEntity>();
        await foreach (var row in requests.SubmittedBeforeAsync(cutoff.ToDateTimeOffset(), cancellationToken))
        {
            if (row.StatusChangedAt is not { } closed || closed >= periodStart || row.Status == RequestStatuses.Open)
            {
                rows.Add(row);
            }
        }

        var assessments = new ConcurrentBag<RequestAssessment>();
        var unevaluated = new ConcurrentBag<UnevaluatedRequest>();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = options.Value.WriteParallelism, CancellationToken = cancellationToken },
            async (row, ct) =>
            {
                if (RequestAssessment.TryAssess(row, await timelines.ReadAsync(row.RequestId, ct), config, asOf, out var reason) is { } assessment)
                {
                    assessments.Add(assessment);
                }
                else
                {
                    unevaluated.Add(new UnevaluatedRequest(row.RequestId, row.RequestingParty, row.RespondingParty, row.Category, row.Priority, row.SubmittedAt, reason!));
                }
            });

        var all = assessments.OrderBy(a => a.RequestId, StringComparer.Ordinal).ToList();
        var inPeriod = all.Where(a => period.Contains(a.SubmittedAt)).ToList();
        var asOfOffset = asOf.ToDateTimeOffset();

        var stats = inPeriod
            .GroupBy(a => (a.Row.RespondingParty, a.Row.Category, a.Row.Priority))
            .Select(g => PeriodStatsEntity.From(period, g.Key.RespondingParty, g.Key.Category, g.Key.Priority, PeriodMetrics.Compute([.. g], cutoff), asOfOffset))
            .OrderBy(s => s.RowKey, StringComparer.Ordinal)
            .ToList();
        var parties = inPeriod.GroupBy(a => a.Row.RespondingParty)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PartySummary(g.Key, PeriodMetrics.Compute([.. g], cutoff)))
            .ToList();
        var partyNames = all.Select(a => a.Row.RespondingParty).Distinct().Order(StringComparer.Ordinal).ToList();

        return new ReviewReport(
            period.Name,
            period.Start.ToDateTimeOffset(),
            period.End.ToDateTimeOffset(),
            asOfOffset,
            stats,
            parties,
            [.. inPeriod.Select(a => Line(a, cutoff))],
            OnTimeByMonth(period, inPeriod),
            Trend(period, all, partyNames, cutoff),
            await FeedsAsync(period, cutoff, cancellationToken),
            [.. unevaluated.OrderBy(u => u.SubmittedAt).ThenBy(u => u.RequestId, StringComparer.Ordinal)]);
    }

    /// <summary>Replaces the period's PeriodStats partition with the report's rows (groups that no longer exist are deleted).</summary>
    public async Task SaveStatsAsync(ReviewReport report, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await periodStats.ReplacePeriodAsync(report.Period, [.. report.Stats], options.Value.WriteParallelism, cancellationToken);
    }

    /// <summary>Uploads the pack's files to reports/review/&lt;period&gt;/ (replacing an earlier pack's files of the same name).</summary>
    public async Task<IReadOnlyList<string>> SavePackAsync(string period, IReadOnlyDictionary<string, byte[]> files, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var names = new List<string>();
        foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var blobName = $"{PackFolder}{period}/{name}";
            await storage.Reports.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);
            names.Add($"{storage.Reports.Name}/{blobName}");
        }
        return names;
    }

    /// <summary>A file of the stored pack of <paramref name="period"/> (reports/review/&lt;period&gt;/&lt;name&gt;), or null when there is none.</summary>
    public async Task<byte[]?> ReadPackFileAsync(string period, string name, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        try
        {
            return (await storage.Reports.GetBlobClient($"{PackFolder}{period}/{name}").DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static RequestLine Line(RequestAssessment a, Instant cutoff)
    {
        var clocks = a.Clocks;
        var explanations = clocks.All.ToDictionary(
            c => ClockName(c.Kind),
            c => (IReadOnlyList<string>)[.. new[] { c.ExplainLevelAt(a.AsOf) }.Concat(c.Explanation).Select(a.Readable)]);
        // The first escalation instant reached while its cycle ran (what put the request on the escalated list).
        var escalation = clocks.All
            .SelectMany(c => c.Cycles.Select(cycle => (Clock: c.Kind, cycle.EscalateAt, cycle.EndedAt)))
            .Where(c => c.EscalateAt is { } at && at <= a.AsOf && (c.EndedAt is not { } ended || at < ended))
            .OrderBy(c => c.EscalateAt)
            .Select(c => ((ClockKind, Instant)?)(c.Clock, c.EscalateAt!.Value))
            .FirstOrDefault();
        return new RequestLine(
            a.RequestId, a.Row.RequestingParty, a.Row.RespondingParty, a.Row.Category, a.Row.Priority, a.Row.SubmittedAt, a.Row.Status,
            ClockLevels.Name(clocks.LevelAt(a.AsOf)),
            ClockLevels.Name(clocks.Acknowledgement.LevelAt(a.AsOf)),
            ClockLevels.Name(clocks.Response.LevelAt(a.AsOf)),
            ClockLevels.Name(clocks.Update.LevelAt(a.AsOf)),
            clocks.Response.DueAt?.ToDateTimeOffset(),
            clocks.Response.MetAt?.ToDateTimeOffset(),
            a.AcknowledgedOnTime, a.RespondedOnTime, a.ResponseHours, a.ResponseTargetFraction, a.UpdatesRequired, a.UpdatesOnTime,
            a.Breached, a.Escalated, a.OpenAt(cutoff), a.Response,
            escalation is { } e ? ClockName(e.Item1) : null, escalation?.Item2.ToDateTimeOffset(),
            a.Quality.Score, a.Quality.Findings, a.Quality.Evidence, a.Quality.Mitigation, a.Quality.Recurrence, a.Quality.Reasons,
            explanations);
    }

    private static List<MonthlyOnTime> OnTimeByMonth(ReportPeriod period, List<RequestAssessment> inPeriod)
    {
        var result = new List<MonthlyOnTime>();
        var parties = inPeriod.Select(a => a.Row.RespondingParty).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var (month, start, end) in period.Months)
        {
            foreach (var party in parties)
            {
                var outcomes = inPeriod.Where(a => a.Row.RespondingParty == party && start <= a.SubmittedAt && a.SubmittedAt < end).Select(a => a.Response).ToList();
                var due = outcomes.Count(o => o is ResponseOutcome.OnTime or ResponseOutcome.Late or ResponseOutcome.Overdue);
                var onTime = outcomes.Count(o => o == ResponseOutcome.OnTime);
                result.Add(new MonthlyOnTime(month, party, due, onTime, due == 0 ? null : RequestAssessment.Round((double)onTime / due, 4),
                    outcomes.Count(o => o == ResponseOutcome.NotYetDue)));
            }
        }
        return result;
    }

    /// <summary>Weekly samples from the period start (plus the cutoff itself) of the requests open, and of those overdue or escalated.</summary>
    private static List<TrendPoint> Trend(ReportPeriod period, List<RequestAssessment> all, List<string> parties, Instant cutoff)
    {
        var samples = new List<Instant>();
        for (var t = period.Start + Duration.FromTimeSpan(TrendStep); t < cutoff; t += Duration.FromTimeSpan(TrendStep))
        {
            samples.Add(t);
        }
        if (cutoff > period.Start)
        {
            samples.Add(cutoff);
        }
        var result = new List<TrendPoint>();
        foreach (var at in samples)
        {
            foreach (var party in parties)
            {
                var open = all.Where(a => a.Row.RespondingParty == party && a.OpenAt(at)).ToList();
                result.Add(new TrendPoint(at.ToDateTimeOffset(), party, open.Count(a => a.LevelAt(at) is ClockLevel.Overdue or ClockLevel.Escalated), open.Count));
            }
        }
        return result;
    }

    /// <summary>The feed files received in the period up to <paramref name="cutoff"/>: a file written after the report instant was not there yet.</summary>
    private async Task<List<FeedSummary>> FeedsAsync(ReportPeriod period, Instant cutoff, CancellationToken cancellationToken)
    {
        var runs = await feedRuns.ReceivedAsync(period.Start.ToDateTimeOffset(), cutoff.ToDateTimeOffset(), cancellationToken);
        return [.. runs.GroupBy(r => r.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new FeedSummary(
            g.Key,
            g.Count(),
            g.Count(r => r.Outcome == FeedOutcomes.Processed),
            g.Count(r => r.Outcome == FeedOutcomes.Duplicate),
            g.Count(r => r.Outcome == FeedOutcomes.Quarantined),
            g.Count(r => r.Outcome == FeedOutcomes.Poison),
            g.Sum(r => r.Records),
            g.Sum(r => r.Rejects),
            g.Sum(r => r.Warnings),
            g.Max(r => (DateTimeOffset?)r.BlobLastModified)))];
    }

    public static string ClockName(ClockKind kind) => kind switch
    {
        ClockKind.Acknowledgement => "acknowledgement",
        ClockKind.Response => "response",
        ClockKind.Update => "update",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

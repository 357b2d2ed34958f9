using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>
/// The figures of one group of requests (a PeriodStats row, or a party's summary). See docs/reporting.md for the
/// definitions; <see cref="RequestAssessment"/> decides each request's part. The response figures partition the
/// requests: RespondedOnTime + RespondedLate + ResponsesOverdue + ResponsesNotYetDue + ResponsesWithdrawn =
/// RequestsReceived, and the first three are ResponsesDue, the base of every on-time share.
/// </summary>
public sealed record PeriodMetrics(
    int RequestsReceived,
    int AcknowledgedOnTime,
    int RespondedOnTime,
    int Responded,
    double? MedianResponseHours,
    double? P90ResponseHours,
    int UpdatesRequired,
    int UpdatesOnTime,
    double? UpdateOnTimeShare,
    int Breaches,
    int Escalations,
    int OpenAtPeriodEnd,
    double? QualityScore,
    int QualityScored,
    int AcknowledgementsDue,
    int ResponsesDue,
    int RespondedLate,
    int ResponsesOverdue,
    int ResponsesNotYetDue,
    int ResponsesWithdrawn)
{
    /// <param name="openCutoff">The end of the period, or the evaluation instant when that is earlier.</param>
    public static PeriodMetrics Compute(IReadOnlyCollection<RequestAssessment> requests, Instant openCutoff)
    {
        var hours = requests.Where(r => r.ResponseHours is not null).Select(r => r.ResponseHours!.Value).Order().ToList();
        var required = requests.Sum(r => r.UpdatesRequired);
        var onTime = requests.Sum(r => r.UpdatesOnTime);
        var scores = requests.Where(r => r.Quality.Score is not null).Select(r => (double)r.Quality.Score!.Value).ToList();
        return new PeriodMetrics(
            requests.Count,
            requests.Count(r => r.AcknowledgedOnTime),
            requests.Count(r => r.RespondedOnTime),
            requests.Count(r => r.Responded),
            Median(hours),
            NearestRank(hours, 0.9),
            required,
            onTime,
            required == 0 ? null : RequestAssessment.Round((double)onTime / required, 4),
            requests.Count(r => r.Breached),
            requests.Count(r => r.Escalated),
            requests.Count(r => r.OpenAt(openCutoff)),
            scores.Count == 0 ? null : RequestAssessment.Round(scores.Average(), 2),
            scores.Count,
            requests.Count(r => r.AcknowledgementDue),
            requests.Count(r => r.Response is ResponseOutcome.OnTime or ResponseOutcome.Late or ResponseOutcome.Overdue),
            requests.Count(r => r.Response == ResponseOutcome.Late),
            requests.Count(r => r.Response == ResponseOutcome.Overdue),
            requests.Count(r => r.Response == ResponseOutcome.NotYetDue),
            requests.Count(r => r.Response == ResponseOutcome.Withdrawn));
    }

    /// <summary>The middle value of the sorted values, or the mean of the two middle ones; null when empty.</summary>
    public static double? Median(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : RequestAssessment.Round((sorted[middle - 1] + sorted[middle]) / 2, 4);
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least that share of values at or below it; null when empty.</summary>
    public static double? NearestRank(IReadOnlyList<double> sorted, double share)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(share * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}

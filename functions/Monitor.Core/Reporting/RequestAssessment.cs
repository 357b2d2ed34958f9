using Monitor.Core.Config;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Core.Reporting;

/// <summary>
/// What one request contributes to the period statistics, evaluated at an instant from its row and its timeline. The
/// definitions are in docs/reporting.md ("PeriodStats"); each property's comment repeats the rule.
/// </summary>
/// <param name="AcknowledgedOnTime">The acknowledgement clock was met at or before its due instant (a response also acknowledges).</param>
/// <param name="RespondedOnTime">The response clock was met (a response or closure) at or before its due instant.</param>
/// <param name="Responded">A response or closure came, on time or late.</param>
/// <param name="ResponseHours">Working hours on the responder's calendar from submission to the response, minus paused time; null without a response.</param>
/// <param name="ResponseTargetFraction">Working time the response clock used, as a fraction of its target (1 = exactly on the due instant); null without a response.</param>
/// <param name="Breached">Some cycle of some clock passed its due instant while it was running.</param>
/// <param name="Escalated">Some cycle of some clock reached its escalation instant while it was running.</param>
/// <param name="AcknowledgementDue">The acknowledgement was due by the instant: met, met late, overdue or escalated (not running inside its target, paused or stopped).</param>
/// <param name="Response">Where the response stood at the instant: a response not yet due is its own category, never a failure.</param>
/// <param name="Events">The request's RequestEvents rows, to name events readably (source/record instead of their RowKey).</param>
public sealed record RequestAssessment(
    RequestEntity Row,
    RequestClocks Clocks,
    Instant AsOf,
    bool AcknowledgementDue,
    ResponseOutcome Response,
    IReadOnlyList<RequestEventEntity> Events,
    bool AcknowledgedOnTime,
    bool RespondedOnTime,
    bool Responded,
    double? ResponseHours,
    double? ResponseTargetFraction,
    int UpdatesRequired,
    int UpdatesOnTime,
    bool Breached,
    bool Escalated,
    QualityResult Quality)
{
    public string RequestId => Row.RequestId;

    public Instant SubmittedAt => Instant.FromDateTimeOffset(Row.SubmittedAt);

    /// <summary>
    /// Whether the request was still awaiting its answer at <paramref name="instant"/>: submitted before it and its
    /// response clock neither met (response or closure) nor stopped (closed or withdrawn) before it.
    /// </summary>
    public bool OpenAt(Instant instant) =>
        SubmittedAt < instant && (Clocks.Response.Current.EndedAt is not { } ended || ended >= instant);

    /// <summary>The overall level (worst clock) at <paramref name="instant"/>, for trends; levels are a function of time.</summary>
    public ClockLevel LevelAt(Instant instant) => Clocks.LevelAt(instant);

    /// <summary>
    /// Assesses <paramref name="row"/> at <paramref name="asOf"/>, or says why it cannot be: the one place that turns a
    /// configuration problem of one request (no calendar for its responding party, no policy rule for its priority) into
    /// a reason to show instead of a failure of the whole answer. The pack and the API use it.
    /// </summary>
    /// <returns>The assessment, or null with <paramref name="reason"/> set.</returns>
    public static RequestAssessment? TryAssess(RequestEntity row, IReadOnlyList<RequestEventEntity> events, ConfigSnapshot config, Instant asOf, out string? reason)
    {
        try
        {
            reason = null;
            return Assess(row, events, config, asOf);
        }
        catch (SlaConfigurationException ex)
        {
            reason = ex.Message;
            return null;
        }
    }

    /// <summary>Assesses <paramref name="row"/> at <paramref name="asOf"/>, counting only events at or before it.</summary>
    /// <exception cref="SlaConfigurationException">No calendar or policy rule fits the request (see <see cref="TryAssess"/>).</exception>
    /// <param name="events">The request's RequestEvents rows (any effect; pending ones are ignored).</param>
    public static RequestAssessment Assess(RequestEntity row, IReadOnlyList<RequestEventEntity> events, ConfigSnapshot config, Instant asOf)
    {
        var until = asOf.ToDateTimeOffset();
        var timeline = events
            .Where(e => e.Effect == EventEffects.Timeline && e.OccurredAt <= until)
            .Select(e => new SlaEvent(Instant.FromDateTimeOffset(e.OccurredAt), e.Kind, e.ReporterParty, e.RowKey))
            .ToList();
        var request = ClockEvaluation.ToSlaRequest(row);
        if (request.StatusChangedAt is { } changed && changed > asOf)
        {
            // Closed or withdrawn after the evaluation instant: at that instant it was still open.
            request = request with { Status = RequestStatus.Open, StatusChangedAt = null };
        }
        var clocks = ClockEngine.Compute(request, timeline, config.Policy, config.CalendarOf);

        var ack = clocks.Acknowledgement.LevelAt(asOf);
        var response = clocks.Response;
        var responseLevel = response.LevelAt(asOf);
        var responded = response.MetAt is not null;

        double? hours = null;
        double? fraction = null;
        if (response.MetAt is { } metAt)
        {
            var responder = config.CalendarOf(row.RespondingParty)
                ?? throw new SlaConfigurationException($"request {row.RequestId}: no business calendar for responding party '{row.RespondingParty}'");
            var paused = response.Current.Pauses.Where(p => p.To is not null)
                .Aggregate(Duration.Zero, (sum, p) => sum + responder.WorkingTimeBetween(p.From, p.To!.Value));
            hours = Round((responder.WorkingTimeBetween(response.Start, metAt) - paused).TotalHours, 4);
            var clockCalendar = CalendarOf(response.CalendarName, config);
            var used = clockCalendar.WorkingTimeBetween(response.Start, metAt)
                - response.Current.Pauses.Aggregate(Duration.Zero, (sum, p) => sum + (p.WorkingTimeExcluded ?? Duration.Zero));
            fraction = response.Target > Duration.Zero ? Round(used / response.Target, 4) : null;
        }

        var (required, onTime) = Updates(clocks.Update, asOf);
        var breached = clocks.All.SelectMany(c => c.Cycles).Any(c => Reached(c.DueAt, c, asOf));
        var escalated = clocks.All.SelectMany(c => c.Cycles).Any(c => Reached(c.EscalateAt, c, asOf));
        var quality = QualityRubric.Score(row, events, asOf);
        return new RequestAssessment(row, clocks, asOf,
            ack is ClockLevel.Met or ClockLevel.MetLate or ClockLevel.Overdue or ClockLevel.Escalated, Outcome(responseLevel), events,
            ack == ClockLevel.Met, responseLevel == ClockLevel.Met, responded, hours, fraction, required, onTime, breached, escalated, quality);
    }

    /// <summary>
    /// <paramref name="text"/> (an explanation line of the clock engine) with each event's RowKey replaced by its source
    /// and record ID, the names a reader knows: "info-request liaison-cn/CN-RFI-0102", not the storage key.
    /// </summary>
    public string Readable(string text) =>
        Events.Aggregate(text, (line, e) => line.Replace(e.RowKey, $"{e.Source}/{e.RecordId}", StringComparison.Ordinal));

    private static ResponseOutcome Outcome(ClockLevel response) => response switch
    {
        ClockLevel.Met => ResponseOutcome.OnTime,
        ClockLevel.MetLate => ResponseOutcome.Late,
        ClockLevel.Overdue or ClockLevel.Escalated => ResponseOutcome.Overdue,
        ClockLevel.Stopped => ResponseOutcome.Withdrawn,
        _ => ResponseOutcome.NotYetDue,
    };

    /// <summary>
    /// Required status updates: every update cycle that a status update ended (all but the last cycle), plus the last
    /// cycle when its due instant passed while it ran (it ended after due, or it still runs past due at the instant). On
    /// time: a cycle ended by a status update at or before its due instant.
    /// </summary>
    private static (int Required, int OnTime) Updates(ClockState update, Instant asOf)
    {
        var required = 0;
        var onTime = 0;
        for (var i = 0; i < update.Cycles.Count; i++)
        {
            var cycle = update.Cycles[i];
            if (i < update.Cycles.Count - 1)
            {
                required++;
                onTime += cycle.Outcome == ClockLevel.Met ? 1 : 0;
            }
            else if (Reached(cycle.DueAt, cycle, asOf))
            {
                required++;
            }
        }
        return (required, onTime);
    }

    /// <summary>Whether a threshold instant was reached while the cycle ran: at or before asOf, and before the cycle ended.</summary>
    private static bool Reached(Instant? threshold, ClockCycle cycle, Instant asOf) =>
        threshold is { } at && at <= asOf && (cycle.EndedAt is not { } ended || at < ended);

    private static BusinessCalendar CalendarOf(string name, ConfigSnapshot config) =>
        string.Equals(name, BusinessCalendar.ContinuousName, StringComparison.OrdinalIgnoreCase)
            ? BusinessCalendar.Continuous
            : config.CalendarOf(name) ?? throw new SlaConfigurationException($"no business calendar named '{name}'");

    internal static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Where a request's response stood at the report instant. Only <see cref="OnTime"/>, <see cref="Late"/> and
/// <see cref="Overdue"/> were due; <see cref="NotYetDue"/> (still inside its target, or paused waiting for the
/// requester) and <see cref="Withdrawn"/> are neither success nor failure.
/// </summary>
public enum ResponseOutcome
{
    OnTime,
    Late,
    Overdue,
    NotYetDue,
    Withdrawn,
}

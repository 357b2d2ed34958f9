using NodaTime;

namespace Monitor.Core.Sla;

/// <summary>
/// Computes a request's acknowledgement, response and update clocks by replaying its timeline. Pure: the same request,
/// timeline, policy and calendars always give the same result, whatever the order of the timeline.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Events are processed in time order, ties broken by EventId (then kind and party, ordinally). Events dated
/// before submission count as happening at submission (clock skew between systems).</item>
/// <item>Only events whose Party is the responding party (case-insensitive) act on the clocks. Any event from the
/// requesting party, of any kind, ends a pause.</item>
/// <item>All three clocks start at submission. An acknowledgement stops the acknowledgement clock; a response stops
/// the response and acknowledgement clocks (a response acknowledges); a closure stops all clocks. A clock stopped at or
/// before its due instant is met, after it met-late.</item>
/// <item>The update clock runs while the request is open and has had no response. A status update ends the current
/// cycle (met or met-late against that cycle's due) and starts the next one. When the response clock stops, the update
/// clock stops too, its current cycle met or met-late against its own due.</item>
/// <item>An info-request from the responder pauses the response and update clocks until the next event from the
/// requesting party. Paused time does not count. A pause that starts after a clock is overdue keeps the clock overdue
/// (or escalated) and stops it progressing towards escalation.</item>
/// <item>A request with status Closed or Withdrawn stops its running clocks at StatusChangedAt; when that is missing,
/// at the latest event of the timeline (any kind or party), or at submission if there is none. Events after that
/// instant are ignored. Closed counts like a closure (met or met-late); Withdrawn leaves running clocks "stopped".</item>
/// </list>
/// </remarks>
internal static class ClockEngine
{
    /// <summary>Computes the three clocks of <paramref name="request"/> from its full known <paramref name="timeline"/>.</summary>
    /// <param name="calendarByParty">Finds a party's calendar by name; "24x7" never reaches it.</param>
    /// <exception cref="SlaConfigurationException">No policy rule matches, or a clock's calendar is unknown.</exception>
    public static RequestClocks Compute(
        SlaRequest request,
        IEnumerable<SlaEvent> timeline,
        SlaPolicy policy,
        Func<string, BusinessCalendar?> calendarByParty)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(calendarByParty);

        var rule = policy.RuleFor(request.Priority, request.Category);
        var events = timeline
            .OrderBy(e => e.At)
            .ThenBy(e => e.EventId, StringComparer.Ordinal)
            .ThenBy(e => e.Kind, StringComparer.Ordinal)
            .ThenBy(e => e.Party ?? "", StringComparer.Ordinal)
            .ToList();
        var replay = Replay.Run(request, events);

        return new RequestClocks(
            request.RequestId,
            rule,
            Build(ClockKind.Acknowledgement, rule, request, policy.Thresholds, calendarByParty, replay.Acknowledgement, []),
            Build(ClockKind.Response, rule, request, policy.Thresholds, calendarByParty, replay.Response, replay.Pauses),
            Build(ClockKind.Update, rule, request, policy.Thresholds, calendarByParty, replay.Update, replay.Pauses));
    }

    /// <summary>
    /// The first instant at which <paramref name="amount"/> of working time has been consumed from
    /// <paramref name="start"/>, not counting <paramref name="pauses"/> (sorted, disjoint, starting at or after start);
    /// null if an open pause comes first.
    /// </summary>
    internal static Instant? FirstReach(BusinessCalendar calendar, Instant start, Duration amount, IReadOnlyList<ClockPause> pauses)
    {
        var cursor = start;
        var remaining = amount;
        foreach (var pause in pauses)
        {
            if (pause.From > cursor)
            {
                var available = calendar.WorkingTimeBetween(cursor, pause.From);
                if (remaining <= available)
                {
                    return calendar.AddWorkingTime(cursor, remaining);
                }
                remaining -= available;
            }
            if (pause.To is not { } resumed)
            {
                return null;
            }
            cursor = Instant.Max(cursor, resumed);
        }
        return calendar.AddWorkingTime(cursor, remaining);
    }

    private static ClockState Build(
        ClockKind kind,
        SlaRule rule,
        SlaRequest request,
        SlaThresholds thresholds,
        Func<string, BusinessCalendar?> calendarByParty,
        IReadOnlyList<Replay.CycleRecord> cycles,
        IReadOnlyList<Replay.PauseRecord> pauses)
    {
        var target = rule.For(kind);
        var calendar = ResolveCalendar(target.Calendar, request, calendarByParty, kind);
        var amount = target.Duration.On(calendar);
        var atRiskAmount = amount * thresholds.AtRisk;
        var escalateAmount = amount + amount * thresholds.EscalateAfter;
        var format = new InstantFormat(calendar);
        var explanation = new List<string>
        {
            $"{Name(kind)} clock: target {target.Duration} = {InstantFormat.Length(amount)} of working time on calendar {calendar} (rule: priority {rule.Priority}, category {rule.Category})",
        };

        var built = new List<ClockCycle>();
        foreach (var record in cycles)
        {
            var cyclePauses = Clip(pauses, record.Start, record.EndedAt, calendar);
            var atRisk = FirstReach(calendar, record.Start, atRiskAmount, cyclePauses);
            var due = FirstReach(calendar, record.Start, amount, cyclePauses);
            var escalate = FirstReach(calendar, record.Start, escalateAmount, cyclePauses);
            ClockLevel? outcome = record.EndedAt switch
            {
                null => null,
                _ when record.Withdrawn => ClockLevel.Stopped,
                { } ended => due is { } d && ended > d ? ClockLevel.MetLate : ClockLevel.Met,
            };
            var cycle = new ClockCycle(record.Number, record.Start, atRisk, due, escalate, record.EndedAt, outcome, record.EndedBy, cyclePauses);
            built.Add(cycle);
            Explain(explanation, format, calendar, cycle, record, thresholds);
        }
        // A calendar built from yearly lists knows nothing past its last listed year: say so, never count on silently.
        var warning = calendar.HorizonWarning(built.Select(Reach).Max());
        if (warning is not null)
        {
            explanation.Add($"Warning: {warning}");
        }
        return new ClockState(kind, calendar.Name, amount, built, explanation) { CalendarWarning = warning };
    }

    /// <summary>The last instant a cycle's reported instants depend on: its thresholds while it runs, its end and due once it ended.</summary>
    private static Instant Reach(ClockCycle cycle) => cycle.EndedAt is { } ended
        ? Instant.Max(ended, cycle.DueAt ?? ended)
        : cycle.EscalateAt ?? cycle.DueAt ?? cycle.AtRiskAt ?? cycle.Start;

    private static BusinessCalendar ResolveCalendar(string name, SlaRequest request, Func<string, BusinessCalendar?> calendarByParty, ClockKind kind)
    {
        if (string.Equals(name, SlaCalendarNames.Continuous, StringComparison.OrdinalIgnoreCase))
        {
            return BusinessCalendar.Continuous;
        }
        var party = string.Equals(name, SlaCalendarNames.Business, StringComparison.OrdinalIgnoreCase) ? request.RespondingParty : name;
        return calendarByParty(party)
            ?? throw new SlaConfigurationException($"request {request.RequestId}: the {Name(kind)} clock needs the calendar of party '{party}', and there is none");
    }

    private static List<ClockPause> Clip(IReadOnlyList<Replay.PauseRecord> pauses, Instant start, Instant? end, BusinessCalendar calendar)
    {
        var result = new List<ClockPause>();
        foreach (var pause in pauses)
        {
            var from = Instant.Max(pause.From, start);
            Instant? to = pause.To;
            var endedBy = pause.EndedBy;
            if (end is { } stop && (to is null || to > stop))
            {
                to = stop;
                endedBy = null;
            }
            if ((to is { } t && t <= from) || (end is { } e && from >= e))
            {
                continue;
            }
            result.Add(new ClockPause(from, to, to is { } until ? calendar.WorkingTimeBetween(from, until) : null, pause.StartedBy, endedBy));
        }
        return result;
    }

    private static void Explain(List<string> lines, InstantFormat format, BusinessCalendar calendar, ClockCycle cycle, Replay.CycleRecord record, SlaThresholds thresholds)
    {
        lines.Add(cycle.Number == 0
            ? $"starts {format.At(cycle.Start)} when the request was submitted"
            : $"cycle {cycle.Number} starts {format.At(cycle.Start)} at status-update {record.StartedBy}");
        foreach (var pause in cycle.Pauses)
        {
            lines.Add(pause.To is { } to
                ? $"paused {format.At(pause.From)} to {format.At(to)} (info-request {pause.StartedBy}{(pause.EndedBy is { } by ? $", ended by {by}" : ", until the clock stopped")}): {InstantFormat.Length(pause.WorkingTimeExcluded ?? Duration.Zero)} of working time excluded"
                : $"paused since {format.At(pause.From)} (info-request {pause.StartedBy}), waiting for the requesting party");
        }
        var prefix = cycle.Number == 0 ? "" : $"cycle {cycle.Number}: ";
        lines.Add($"{prefix}at risk {format.Maybe(cycle.AtRiskAt)} ({Percent(thresholds.AtRisk)} of target used), due {format.Maybe(cycle.DueAt)}, escalates {format.Maybe(cycle.EscalateAt)} (a further {Percent(thresholds.EscalateAfter)} of target after due)");
        switch (cycle.Outcome)
        {
            case ClockLevel.Met:
                lines.Add($"{prefix}met at {format.At(cycle.EndedAt!.Value)} by {record.EndedByKind} {record.EndedBy}, {Margin(calendar, cycle.EndedAt.Value, cycle.DueAt!.Value)} before due");
                break;
            case ClockLevel.MetLate:
                lines.Add($"{prefix}met late at {format.At(cycle.EndedAt!.Value)} by {record.EndedByKind} {record.EndedBy}, {Margin(calendar, cycle.DueAt!.Value, cycle.EndedAt.Value)} after due");
                break;
            case ClockLevel.Stopped:
                lines.Add($"{prefix}stopped at {format.At(cycle.EndedAt!.Value)}: the request was withdrawn");
                break;
            default:
                lines.Add($"{prefix}running: no {record.AwaitedKind} yet");
                break;
        }
    }

    /// <summary>Elapsed time between two instants, with the working time beside it when the two differ.</summary>
    private static string Margin(BusinessCalendar calendar, Instant from, Instant to)
    {
        var elapsed = to - from;
        var working = calendar.WorkingTimeBetween(from, to);
        return working == elapsed
            ? InstantFormat.Length(elapsed)
            : $"{InstantFormat.Length(elapsed)} ({InstantFormat.Length(working)} of working time)";
    }

    private static string Percent(double fraction) => $"{fraction * 100:0.##}%";

    private static string Name(ClockKind kind) => kind switch
    {
        ClockKind.Acknowledgement => "acknowledgement",
        ClockKind.Response => "response",
        ClockKind.Update => "update",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Replays the ordered timeline into cycles and pauses; thresholds are computed afterwards per calendar.</summary>
    private sealed class Replay
    {
        private const string ClosedStatus = "status:closed";
        private const string WithdrawnStatus = "status:withdrawn";

        public List<CycleRecord> Acknowledgement { get; } = [];
        public List<CycleRecord> Response { get; } = [];
        public List<CycleRecord> Update { get; } = [];
        public List<PauseRecord> Pauses { get; } = [];

        public static Replay Run(SlaRequest request, IReadOnlyList<SlaEvent> events)
        {
            var replay = new Replay();
            var submitted = request.SubmittedAt;
            var ack = new CycleRecord(0, submitted, null) { AwaitedKind = EventKinds.Acknowledgement };
            var response = new CycleRecord(0, submitted, null) { AwaitedKind = EventKinds.Response };
            var update = new CycleRecord(0, submitted, null) { AwaitedKind = EventKinds.StatusUpdate };
            replay.Acknowledgement.Add(ack);
            replay.Response.Add(response);
            replay.Update.Add(update);
            PauseRecord? open = null;

            Instant? statusStop = null;
            if (request.Status is RequestStatus.Closed or RequestStatus.Withdrawn)
            {
                var when = request.StatusChangedAt ?? (events.Count > 0 ? events[^1].At : submitted);
                statusStop = Instant.Max(when, submitted);
            }

            foreach (var e in events)
            {
                var at = Instant.Max(e.At, submitted);
                if (statusStop is { } stop && at > stop)
                {
                    break;
                }
                if (!SameParty(e.Party, request.RespondingParty))
                {
                    if (open is not null && SameParty(e.Party, request.RequestingParty))
                    {
                        open.To = at;
                        open.EndedBy = e.EventId;
                        open = null;
                    }
                    continue;
                }
                switch (e.Kind?.Trim().ToLowerInvariant())
                {
                    case EventKinds.Acknowledgement:
                        End(ack, at, e);
                        break;
                    case EventKinds.Response:
                    case EventKinds.Closure:
                        // A response acknowledges and ends the need for updates; a closure ends everything. Both are
                        // no-ops for clocks that have already stopped.
                        End(ack, at, e);
                        End(response, at, e);
                        End(update, at, e);
                        break;
                    case EventKinds.StatusUpdate:
                        if (update.EndedAt is null)
                        {
                            End(update, at, e);
                            update = new CycleRecord(update.Number + 1, at, e.EventId) { AwaitedKind = EventKinds.StatusUpdate };
                            replay.Update.Add(update);
                        }
                        break;
                    case EventKinds.InfoRequest:
                        if (open is null && response.EndedAt is null)
                        {
                            open = new PauseRecord(at, e.EventId);
                            replay.Pauses.Add(open);
                        }
                        break;
                }
            }

            if (statusStop is { } final)
            {
                var withdrawn = request.Status == RequestStatus.Withdrawn;
                var by = withdrawn ? WithdrawnStatus : ClosedStatus;
                End(ack, final, by, "request status", withdrawn);
                End(response, final, by, "request status", withdrawn);
                End(update, final, by, "request status", withdrawn);
            }
            return replay;
        }

        private static void End(CycleRecord cycle, Instant at, SlaEvent by) =>
            End(cycle, at, by.EventId, by.Kind.Trim().ToLowerInvariant(), withdrawn: false);

        private static void End(CycleRecord cycle, Instant at, string by, string byKind, bool withdrawn)
        {
            if (cycle.EndedAt is not null)
            {
                return;
            }
            cycle.EndedAt = at;
            cycle.EndedBy = by;
            cycle.EndedByKind = byKind;
            cycle.Withdrawn = withdrawn;
        }

        private static bool SameParty(string? party, string expected) =>
            party is not null && string.Equals(party.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase);

        public sealed class CycleRecord(int number, Instant start, string? startedBy)
        {
            public int Number { get; } = number;
            public Instant Start { get; } = start;
            public string? StartedBy { get; } = startedBy;
            public required string AwaitedKind { get; init; }
            public Instant? EndedAt { get; set; }
            public string? EndedBy { get; set; }
            public string? EndedByKind { get; set; }
            public bool Withdrawn { get; set; }
        }

        public sealed class PauseRecord(Instant from, string startedBy)
        {
            public Instant From { get; } = from;
            public string StartedBy { get; } = startedBy;
            public Instant? To { get; set; }
            public string? EndedBy { get; set; }
        }
    }
}

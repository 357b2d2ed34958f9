using FsCheck.Xunit;
using Monitor.Core.Feeds;
using Monitor.Core.Sla;
using NodaTime;
using static Monitor.Tests.Sla.SlaTestData;

namespace Monitor.Tests.Sla;

/// <summary>
/// Properties of the calendar and the clock engine. Instants range over 2026-2027, so both New York DST changes,
/// the CN make-up days and holidays are all hit; durations range up to several hundred working hours.
/// </summary>
public sealed class SlaPropertyTests
{
    private static readonly BusinessCalendar[] Calendars = [Cn, Us, Night, SundayEndInGap, Continuous];
    private static readonly Instant Origin = At("2026-01-01T00:00Z");
    private const int TwoYearsOfMinutes = 2 * 366 * 24 * 60;

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    private static BusinessCalendar Pick(int index) => Calendars[Mod(index, Calendars.Length)];

    private static Instant Minute(int value) => Origin + Duration.FromMinutes(Mod(value, TwoYearsOfMinutes));

    private static Duration Minutes(int value, int max) => Duration.FromMinutes(Mod(value, max));

    [Property(MaxTest = 300)]
    public bool Deadline_is_monotone_in_the_start(int calendar, int start, int later, int duration)
    {
        var cal = Pick(calendar);
        var s1 = Minute(start);
        var s2 = s1 + Minutes(later, 20_000);
        var d = Minutes(duration, 30_000);

        return cal.AddWorkingTime(s1, d) <= cal.AddWorkingTime(s2, d);
    }

    [Property(MaxTest = 300)]
    public bool Deadline_is_monotone_in_the_duration(int calendar, int start, int duration, int more)
    {
        var cal = Pick(calendar);
        var s = Minute(start);
        var d1 = Minutes(duration, 30_000);
        var d2 = d1 + Minutes(more, 30_000);

        return cal.AddWorkingTime(s, d1) <= cal.AddWorkingTime(s, d2);
    }

    [Property(MaxTest = 300)]
    public bool Working_time_to_the_deadline_is_the_duration(int calendar, int start, int duration)
    {
        var cal = Pick(calendar);
        var s = cal.NextWorkingInstant(Minute(start));
        var d = Minutes(duration, 60_000);

        return cal.WorkingTimeBetween(s, cal.AddWorkingTime(s, d)) == d;
    }

    [Property(MaxTest = 200)]
    public bool Adding_in_two_steps_is_adding_once(int calendar, int start, int first, int second)
    {
        var cal = Pick(calendar);
        var s = Minute(start);
        var a = Minutes(first, 20_000);
        // A zero second step would move an interval end to the next interval's start, so it is at least a minute.
        var b = Minutes(second, 20_000) + Duration.FromMinutes(1);

        return cal.AddWorkingTime(cal.AddWorkingTime(s, a), b) == cal.AddWorkingTime(s, a + b);
    }

    [Property(MaxTest = 200)]
    public bool A_pause_never_makes_a_deadline_earlier(int seed, int pauseStart, int pauseLength)
    {
        var request = RandomRequest(new Random(seed));
        var from = request.SubmittedAt + Minutes(pauseStart, 40 * 24 * 60);
        var to = from + Minutes(pauseLength, 10 * 24 * 60);
        var plain = Compute(request);
        var paused = Compute(request,
            new SlaEvent(from, EventKinds.InfoRequest, request.RespondingParty, "pause"),
            new SlaEvent(to, "information", request.RequestingParty, "reply"));

        return ClockKinds.All(kind =>
            NotEarlier(plain[kind].AtRiskAt, paused[kind].AtRiskAt)
            && NotEarlier(plain[kind].DueAt, paused[kind].DueAt)
            && NotEarlier(plain[kind].EscalateAt, paused[kind].EscalateAt));
    }

    [Property(MaxTest = 200)]
    public bool Compute_is_deterministic_and_independent_of_timeline_order(int seed, int shuffleSeed)
    {
        var random = new Random(seed);
        var request = RandomRequest(random);
        var timeline = RandomTimeline(random, request);
        var shuffled = timeline.OrderBy(_ => 0).ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);

        var first = ClockEngine.Compute(request, timeline, SlaDefaults.Policy, PartyCalendar);
        var again = ClockEngine.Compute(request, timeline, SlaDefaults.Policy, PartyCalendar);
        var reordered = ClockEngine.Compute(request, shuffled, SlaDefaults.Policy, PartyCalendar);

        return first.All.SequenceEqual(again.All) && first.All.SequenceEqual(reordered.All);
    }

    [Property(MaxTest = 200)]
    public bool Level_at_an_instant_depends_only_on_events_up_to_it(int seed, int probe)
    {
        var random = new Random(seed);
        var request = RandomRequest(random);
        var timeline = RandomTimeline(random, request);
        var t = request.SubmittedAt + Minutes(probe, 45 * 24 * 60);

        var full = ClockEngine.Compute(request, timeline, SlaDefaults.Policy, PartyCalendar);
        var known = ClockEngine.Compute(request, timeline.Where(e => e.At <= t), SlaDefaults.Policy, PartyCalendar);

        return ClockKinds.All(kind => full[kind].LevelAt(t) == known[kind].LevelAt(t));
    }

    [Property(MaxTest = 200)]
    public bool Next_change_is_the_first_instant_with_another_level(int seed, int probe)
    {
        var random = new Random(seed);
        var request = RandomRequest(random);
        var clocks = ClockEngine.Compute(request, RandomTimeline(random, request), SlaDefaults.Policy, PartyCalendar);
        var t = request.SubmittedAt + Minutes(probe, 45 * 24 * 60);

        var next = clocks.NextChangeAfter(t);
        var levels = ClockKinds.Select(kind => clocks[kind].LevelAt(t)).ToArray();
        if (next is not { } change)
        {
            // Nothing changes later: the levels a year on are the same.
            return ClockKinds.Select(kind => clocks[kind].LevelAt(t + Duration.FromDays(365))).SequenceEqual(levels);
        }
        // Just before the change nothing differs; at the change something does.
        return change > t
            && ClockKinds.Select(kind => clocks[kind].LevelAt(change - Duration.Epsilon)).SequenceEqual(levels)
            && !ClockKinds.Select(kind => clocks[kind].LevelAt(change)).SequenceEqual(levels);
    }

    private static readonly ClockKind[] ClockKinds = Enum.GetValues<ClockKind>();

    private static bool NotEarlier(Instant? without, Instant? with) =>
        without is not { } before || with is not { } after || after >= before;

    private static SlaRequest RandomRequest(Random random)
    {
        var priorities = new[] { "critical", "high", "medium", "low" };
        var cnResponds = random.Next(2) == 0;
        return new SlaRequest(
            "REQ-P",
            cnResponds ? "US" : "CN",
            cnResponds ? "CN" : "US",
            "investigation",
            priorities[random.Next(priorities.Length)],
            Origin + Duration.FromMinutes(random.Next(TwoYearsOfMinutes - 60 * 24 * 60)),
            RequestStatus.Open,
            null);
    }

    private static SlaEvent[] RandomTimeline(Random random, SlaRequest request)
    {
        var kinds = new[] { "acknowledgement", "status-update", "response", "closure", "info-request", "information", "note" };
        var parties = new[] { request.RespondingParty, request.RespondingParty, request.RequestingParty, "CERT", null };
        var count = random.Next(0, 9);
        var events = new SlaEvent[count];
        for (var i = 0; i < count; i++)
        {
            // Whole hours so that ties at one instant happen often enough to exercise the EventId ordering.
            var at = request.SubmittedAt + Duration.FromHours(random.Next(-2, 40 * 24));
            events[i] = new SlaEvent(at, kinds[random.Next(kinds.Length)], parties[random.Next(parties.Length)], $"e{random.Next(1000):000}-{i}");
        }
        return events;
    }
}

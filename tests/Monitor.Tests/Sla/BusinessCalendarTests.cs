using Monitor.Core.Sla;
using NodaTime;
using Xunit;
using static Monitor.Tests.Sla.SlaTestData;

namespace Monitor.Tests.Sla;

public sealed class BusinessCalendarTests
{
    // Calendars: CN = Asia/Shanghai (+08, no DST), US = America/New_York (EST -05 / EDT -04; 2026 DST from
    // Sun 03-08 02:00 EST to Sun 11-01 02:00 EDT), both Mon-Fri 09:00-17:00, so P1D = 8h. NIGHT = New York 00:00-04:00
    // every day; GAP = New York Sundays 01:00-03:00; GAP2 = New York Sundays 00:00-02:30. Durations are SLA targets
    // converted on the calendar (P1D = one working day).
    public static TheoryData<string, string, string, string> Deadlines => new()
    {
        // --- CN (+08) ---
        // Mon 2026-11-16 09:00 +08 + 8h working = Mon 17:00 +08 = 09:00Z
        { "CN", "2026-11-16T09:00+08:00", "PT8H", "2026-11-16T09:00Z" },
        // Same with P1D: one CN working day is 8h.
        { "CN", "2026-11-16T09:00+08:00", "P1D", "2026-11-16T09:00Z" },
        // Wed 2026-11-18 10:00 +08: Wed 7h (10-17), Thu 8h (=15h), Fri 09:00 + 1h = Fri 10:00 +08 = Fri 02:00Z
        { "CN", "2026-11-18T10:00+08:00", "P2D", "2026-11-20T02:00Z" },
        // Fri 2026-11-20 16:00 +08: Fri 1h, weekend, Mon 23 09:00 + 1h = 10:00 +08 = 02:00Z
        { "CN", "2026-11-20T16:00+08:00", "PT2H", "2026-11-23T02:00Z" },
        // Start on a weekend: Sat 2026-11-21 12:00 +08 counts from Mon 23 09:00; + 1h = 10:00 +08 = 02:00Z
        { "CN", "2026-11-21T12:00+08:00", "PT1H", "2026-11-23T02:00Z" },
        // Start at 16:59: Thu 2026-11-19 16:59 +08: 1m Thu, Fri 09:00 + 7h59m = Fri 16:59 +08 = 08:59Z
        { "CN", "2026-11-19T16:59+08:00", "P1D", "2026-11-20T08:59Z" },
        // Start on a holiday: Thu 2026-10-01 (National Day, holidays 10-01..10-07) 10:00 +08; first working
        // interval is Thu 10-08 09:00; + 4h = 13:00 +08 = 05:00Z
        { "CN", "2026-10-01T10:00+08:00", "PT4H", "2026-10-08T05:00Z" },
        // Make-up working day: Fri 2026-09-18 16:00 +08: Fri 1h, Sat 19 off, Sun 20 is a make-up working day
        // (09:00-17:00): 09:00 + 1h = Sun 10:00 +08 = 02:00Z
        { "CN", "2026-09-18T16:00+08:00", "PT2H", "2026-09-20T02:00Z" },
        // Make-up working day after National Day: Fri 2026-10-09 15:00 +08: Fri 2h, Sat 10-10 make-up 09:00 + 2h
        // = Sat 11:00 +08 = 03:00Z
        { "CN", "2026-10-09T15:00+08:00", "PT4H", "2026-10-10T03:00Z" },
        // Start on a weekend before a make-up day: Sat 2026-09-19 12:00 +08, P1D: Sun 20 (make-up) 09:00-17:00 +08
        // = Sun 09:00Z
        { "CN", "2026-09-19T12:00+08:00", "P1D", "2026-09-20T09:00Z" },
        // Spring Festival: Fri 2026-02-13 15:00 +08, P3D = 24h: Fri 2h, Sat 02-14 make-up 8h (=10h), Sun 02-15 to
        // Mon 02-23 holidays, Tue 02-24 8h (=18h), Wed 02-25 09:00 + 6h = 15:00 +08 = 07:00Z
        { "CN", "2026-02-13T15:00+08:00", "P3D", "2026-02-25T07:00Z" },
        // Mid-Autumn holiday Fri 2026-09-25 .. Sun 09-27: start Fri 10:00 +08, P1D = Mon 09-28 09:00-17:00 +08 = 09:00Z
        { "CN", "2026-09-25T10:00+08:00", "P1D", "2026-09-28T09:00Z" },
        // Zero duration on a weekend: Sat 2026-11-21 12:00 +08 moves to Mon 23 09:00 +08 = 01:00Z
        { "CN", "2026-11-21T12:00+08:00", "PT0S", "2026-11-23T01:00Z" },
        // Zero duration inside working time: Tue 2026-11-17 11:00 +08 stays = 03:00Z
        { "CN", "2026-11-17T11:00+08:00", "PT0S", "2026-11-17T03:00Z" },
        // Zero duration at 17:00 (intervals are [start, end)): Tue 17:00 +08 moves to Wed 09:00 +08 = Wed 01:00Z
        { "CN", "2026-11-17T17:00+08:00", "PT0S", "2026-11-18T01:00Z" },
        // A deadline at the very end of an interval stays there: Tue 09:00 +08 + 8h = Tue 17:00 +08 = 09:00Z (not Wed)
        { "CN", "2026-11-17T09:00+08:00", "PT8H", "2026-11-17T09:00Z" },
        // 30 business days (240h) from Mon 2026-11-02 09:00 +08, no CN holidays in Nov/Dec 2026: six full weeks
        // Nov 2-6, 9-13, 16-20, 23-27, Nov 30-Dec 4, Dec 7-11 -> Fri 2026-12-11 17:00 +08 = 09:00Z
        { "CN", "2026-11-02T09:00+08:00", "P30D", "2026-12-11T09:00Z" },
        // PT36H is 36 working hours, not normalised to P1DT12H: Mon 2026-11-16 09:00 +08: Mon-Thu 32h, Fri 09:00 +
        // 4h = 13:00 +08 = 05:00Z
        { "CN", "2026-11-16T09:00+08:00", "PT36H", "2026-11-20T05:00Z" },

        // --- US (America/New_York) ---
        // Mon 2026-11-16 09:00 -05 + 8h = 17:00 -05 = 22:00Z
        { "US", "2026-11-16T09:00-05:00", "P1D", "2026-11-16T22:00Z" },
        // Thanksgiving Thu 2026-11-26: Wed 25 13:00 -05: Wed 4h, Thu holiday, Fri 27 09:00 + 4h = 13:00 -05 = 18:00Z
        { "US", "2026-11-25T13:00-05:00", "P1D", "2026-11-27T18:00Z" },
        // Fall-back weekend (Sun 11-01): Fri 2026-10-30 13:00 -04: Fri 4h (to 17:00 EDT = 21:00Z), Mon 11-02
        // 09:00 EST = 14:00Z + 4h = 13:00 EST = 18:00Z
        { "US", "2026-10-30T13:00-04:00", "P1D", "2026-11-02T18:00Z" },
        // Spring-forward weekend (Sun 03-08): Fri 2026-03-06 15:00 -05: Fri 2h, Mon 03-09 09:00 EDT = 13:00Z + 2h
        // = 11:00 EDT = 15:00Z
        { "US", "2026-03-06T15:00-05:00", "PT4H", "2026-03-09T15:00Z" },
        // Christmas Fri 2026-12-25: Thu 24 16:00 -05: Thu 1h, Fri holiday, Mon 28 09:00 + 1h = 10:00 -05 = 15:00Z
        { "US", "2026-12-24T16:00-05:00", "PT2H", "2026-12-28T15:00Z" },
        // New Year Fri 2027-01-01: Thu 2026-12-31 12:00 -05: Thu 5h, Fri holiday, Mon 2027-01-04 09:00 + 3h
        // = 12:00 -05 = 17:00Z
        { "US", "2026-12-31T12:00-05:00", "P1D", "2027-01-04T17:00Z" },
        // Start on a weekend: Sun 2026-11-15 10:00 -05 counts from Mon 09:00; + 1h = 10:00 -05 = 15:00Z
        { "US", "2026-11-15T10:00-05:00", "PT1H", "2026-11-16T15:00Z" },
        // 16:59 + 1 minute ends at 17:00 the same day: Tue 2026-11-17 17:00 -05 = 22:00Z
        { "US", "2026-11-17T16:59-05:00", "PT1M", "2026-11-17T22:00Z" },
        // 16:59 + 2 minutes: 1m Tue, Wed 09:00 + 1m = 09:01 -05 = 14:01Z
        { "US", "2026-11-17T16:59-05:00", "PT2M", "2026-11-18T14:01Z" },
        // Holiday start: Thu 2026-11-26 10:00 -05 (Thanksgiving), P1D = Fri 27 09:00-17:00 -05 = 22:00Z
        { "US", "2026-11-26T10:00-05:00", "P1D", "2026-11-27T22:00Z" },

        // --- DST inside a working interval (NIGHT: 00:00-04:00 every day, New York) ---
        // Spring forward Sun 2026-03-08: 00:00 EST = 05:00Z to 04:00 EDT = 08:00Z is 3 real hours; PT3H ends 08:00Z
        { "NIGHT", "2026-03-08T00:00-05:00", "PT3H", "2026-03-08T08:00Z" },
        // PT4H: 3h on 03-08, then Mon 03-09 00:00 EDT = 04:00Z + 1h = 05:00Z
        { "NIGHT", "2026-03-08T00:00-05:00", "PT4H", "2026-03-09T05:00Z" },
        // Fall back Sun 2026-11-01: 00:00 EDT = 04:00Z to 04:00 EST = 09:00Z is 5 real hours; PT5H ends 09:00Z
        { "NIGHT", "2026-11-01T00:00-04:00", "PT5H", "2026-11-01T09:00Z" },
        // PT2H from 04:00Z ends 06:00Z, which the wall clock shows as the second 01:00 (01:00 EST)
        { "NIGHT", "2026-11-01T00:00-04:00", "PT2H", "2026-11-01T06:00Z" },
        // PT6H: 5h on 11-01, then Mon 11-02 00:00 EST = 05:00Z + 1h = 06:00Z
        { "NIGHT", "2026-11-01T00:00-04:00", "PT6H", "2026-11-02T06:00Z" },
        // GAP (Sundays 01:00-03:00): on 2026-03-08 01:00 EST = 06:00Z to 03:00 EDT = 07:00Z is one real hour
        { "GAP", "2026-03-08T01:00-05:00", "PT1H", "2026-03-08T07:00Z" },
        // PT90M: 1h on 03-08, then Sun 03-15 01:00 EDT = 05:00Z + 30m = 05:30Z
        { "GAP", "2026-03-08T01:00-05:00", "PT90M", "2026-03-15T05:30Z" },
        // GAP2 (Sundays 00:00-02:30): 02:30 on 03-08 does not exist; the interval ends when the clock jumps to
        // 03:00 EDT = 07:00Z, so 00:00 EST = 05:00Z to 07:00Z is 2h (lenient forward-shifting would give 07:30Z)
        { "GAP2", "2026-03-08T00:00-05:00", "PT2H", "2026-03-08T07:00Z" },
        // PT3H: 2h on 03-08, then Sun 03-15 00:00 EDT = 04:00Z + 1h = 05:00Z
        { "GAP2", "2026-03-08T00:00-05:00", "PT3H", "2026-03-15T05:00Z" },

        // --- 24x7 ---
        // Every instant counts: Sat 2026-11-21 10:00Z + 4h = 14:00Z
        { "24x7", "2026-11-21T10:00Z", "PT4H", "2026-11-21T14:00Z" },
        // P1D on 24x7 is 24h
        { "24x7", "2026-11-21T10:00Z", "P1D", "2026-11-22T10:00Z" },
        // Ten years: 2026-01-01 + 3652 days (2026-2035 has two leap days, 2028 and 2032) = 2036-01-01
        { "24x7", "2026-01-01T00:00Z", "P3652D", "2036-01-01T00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Deadlines))]
    public void AddWorkingTime_gives_the_hand_computed_deadline(string calendar, string start, string duration, string expected)
    {
        var cal = ByName(calendar);

        var deadline = cal.AddWorkingTime(At(start), SlaDuration.Parse(duration).On(cal));

        Assert.Equal(At(expected), deadline);
    }

    public static TheoryData<string, string, string, double> WorkingTimes => new()
    {
        // CN Mon 2026-11-16 09:00 to Fri 17:00 +08: 5 x 8h = 40h
        { "CN", "2026-11-16T09:00+08:00", "2026-11-20T17:00+08:00", 40 },
        // CN Fri 2026-09-18 00:00 to Mon 09-21 00:00 +08: Fri 8h + Sun 09-20 make-up 8h = 16h
        { "CN", "2026-09-18T00:00+08:00", "2026-09-21T00:00+08:00", 16 },
        // CN whole 2026: 365 days - 104 weekend days - 13 statutory holidays = 248 working days (the 6 make-up
        // days offset the 6 extra weekday holiday days) x 8h = 1984h
        { "CN", "2026-01-01T00:00+08:00", "2027-01-01T00:00+08:00", 1984 },
        // US whole 2026: 261 weekdays - 11 weekday federal holidays = 250 days x 8h = 2000h
        { "US", "2026-01-01T00:00-05:00", "2027-01-01T00:00-05:00", 2000 },
        // NIGHT on spring-forward day 2026-03-08: 00:00-04:00 local is 3 real hours
        { "NIGHT", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", 3 },
        // NIGHT on fall-back day 2026-11-01: 00:00-04:00 local is 5 real hours
        { "NIGHT", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00", 5 },
        // A reversed range is empty
        { "CN", "2026-11-20T17:00+08:00", "2026-11-16T09:00+08:00", 0 },
        // Inside one interval: Tue 10:30 to 12:00 -05 = 1.5h
        { "US", "2026-11-17T10:30-05:00", "2026-11-17T12:00-05:00", 1.5 },
        // 24x7: plain elapsed time, 2026-03-07 12:00Z to 03-09 12:00Z = 48h
        { "24x7", "2026-03-07T12:00Z", "2026-03-09T12:00Z", 48 },
    };

    [Theory]
    [MemberData(nameof(WorkingTimes))]
    public void WorkingTimeBetween_counts_working_hours_in_the_range(string calendar, string from, string to, double hours)
    {
        Assert.Equal(Duration.FromMinutes((long)(hours * 60)), ByName(calendar).WorkingTimeBetween(At(from), At(to)));
    }

    [Fact]
    public void Default_calendars_describe_their_parties()
    {
        Assert.Equal("CN", Cn.Name);
        Assert.Equal("Asia/Shanghai", Cn.Zone.Id);
        Assert.Equal(Duration.FromHours(8), Cn.WorkingDayLength);
        Assert.Equal("America/New_York", Us.Zone.Id);
        Assert.Contains("State Council", Cn.Note);
        Assert.Contains("5 U.S.C. 6103", Us.Note);
        Assert.True(Cn.IsWorkingDay(new LocalDate(2026, 9, 20)));   // make-up Sunday
        Assert.False(Cn.IsWorkingDay(new LocalDate(2026, 10, 1)));  // National Day
        Assert.False(Us.IsWorkingDay(new LocalDate(2026, 11, 26))); // Thanksgiving
        Assert.Equal(Duration.FromHours(24), BusinessCalendar.Continuous.WorkingDayLength);
        Assert.Equal(["CN", "US"], SlaDefaults.CalendarParties);
        Assert.Same(Cn, SlaDefaults.Calendar("cn"));
        Assert.Null(SlaDefaults.Calendar("FR"));
    }

    [Fact]
    public void Make_up_day_can_override_its_hours()
    {
        var calendar = BusinessCalendar.Parse("""
            {"party":"X","timeZone":"Asia/Shanghai",
             "workingHours":{"monday":[{"start":"09:00","end":"12:00"},{"start":"13:00","end":"18:00"}]},
             "makeUpWorkingDays":[{"date":"2026-09-20","name":"short make-up","hours":[{"start":"10:00","end":"12:00"}]},
                                  {"date":"2026-09-19","name":"standard make-up"}]}
            """);

        // The standard day (Monday) is 3h + 5h = 8h.
        Assert.Equal(Duration.FromHours(8), calendar.WorkingDayLength);
        // Sat 09-19 uses the standard hours: 09:00-12:00 and 13:00-18:00 +08 = 01:00-04:00Z, 05:00-10:00Z.
        Assert.Equal([new Interval(At("2026-09-19T01:00Z"), At("2026-09-19T04:00Z")), new Interval(At("2026-09-19T05:00Z"), At("2026-09-19T10:00Z"))], calendar.WorkingIntervals(new LocalDate(2026, 9, 19)));
        // Sun 09-20 uses its own hours 10:00-12:00 +08 = 02:00-04:00Z.
        Assert.Equal([new Interval(At("2026-09-20T02:00Z"), At("2026-09-20T04:00Z"))], calendar.WorkingIntervals(new LocalDate(2026, 9, 20)));
        // Sat 09-19 11:00 +08 + 4h: 1h to 12:00, 13:00 + 3h = 16:00 +08 = 08:00Z
        Assert.Equal(At("2026-09-19T08:00Z"), calendar.AddWorkingTime(At("2026-09-19T11:00+08:00"), Duration.FromHours(4)));
    }

    [Fact]
    public void Long_durations_agree_with_a_day_by_day_walk()
    {
        // The fast path skips plain weeks; a naive walk over WorkingIntervals must agree, across DST changes and holidays.
        foreach (var calendar in new[] { Us, Cn, Night })
        {
            foreach (var hours in new[] { 41, 240, 1000, 2500, 20000 })
            {
                var start = At("2025-12-29T10:15-05:00");
                var expected = NaiveAdd(calendar, start, Duration.FromHours(hours));
                Assert.Equal(expected, calendar.AddWorkingTime(start, Duration.FromHours(hours)));
                Assert.Equal(Duration.FromHours(hours), calendar.WorkingTimeBetween(calendar.NextWorkingInstant(start), expected));
            }
        }
    }

    [Fact]
    public void Ten_years_of_business_days_is_fast_and_consistent()
    {
        // 2600 working days is about ten years of US working time; week skipping makes this a few hundred steps.
        var start = At("2026-01-05T09:00-05:00");
        var deadline = Us.AddWorkingTime(start, Us.WorkingDayLength * 2600);

        Assert.InRange(deadline, At("2035-01-01T00:00Z"), At("2037-01-01T00:00Z"));
        Assert.Equal(Us.WorkingDayLength * 2600, Us.WorkingTimeBetween(start, deadline));
    }

    [Fact]
    public void Negative_duration_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Cn.AddWorkingTime(At("2026-11-16T09:00Z"), Duration.FromHours(-1)));
    }

    [Fact]
    public void Calendar_whose_holidays_cover_years_gives_up_instead_of_looping()
    {
        var holidays = string.Join(",", Enumerable.Range(0, 4000).Select(day => $"{{\"date\":\"{new LocalDate(2026, 1, 1).PlusDays(day):uuuu-MM-dd}\"}}"));
        var calendar = BusinessCalendar.Parse($$"""{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holidays":[{{holidays}}]}""");

        var error = Assert.Throws<InvalidOperationException>(() => calendar.AddWorkingTime(At("2026-01-01T00:00Z"), Duration.FromHours(1)));
        Assert.Contains("no working time", error.Message);
    }

    public static TheoryData<string, string> BadCalendars => new()
    {
        { """{"party":"X","timeZone":"Mars/Olympus","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]}}""", "$.timeZone 'Mars/Olympus' is not an IANA time zone id" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"9am","end":"17:00"}]}}""", "$.workingHours.monday[0].start '9am' is not a time" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"17:00","end":"09:00"}]}}""", "$.workingHours.monday[0] end 09:00 must be after start 17:00" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"09:00"}]}}""", "must be after start" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"13:00"},{"start":"12:00","end":"17:00"}]}}""", "$.workingHours.monday has overlapping working intervals" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"funday":[{"start":"09:00","end":"17:00"}]}}""", "$.workingHours.funday is not a day name" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[]}}""", "$.workingHours has no working hours on any day" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holidays":[{"date":"2026-02-30"}]}""", "$.holidays[0].date '2026-02-30' is not a date" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holidays":[{"date":"2026-10-01"},{"date":"2026-10-01"}]}""", "$.holidays[1].date 2026-10-01 is listed twice" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holidays":[{"date":"2026-10-10"}],"makeUpWorkingDays":[{"date":"2026-10-10"}]}""", "2026-10-10 is also listed as a holiday" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holiday":[]}""", "$.holiday is not a known property" },
        { """{"party":"X","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"25:00"}]}}""", "'25:00' is not a time" },
        { """{"timeZone":"UTC","workingHours":{}}""", "$.party is required" },
        { """{"party":"24x7","timeZone":"UTC","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]}}""", "built-in continuous calendar" },
        { """{"party":"X","timeZone":"UTC",""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadCalendars))]
    public void Bad_calendar_gives_a_clear_error(string json, string expected)
    {
        var error = Assert.Throws<SlaConfigurationException>(() => BusinessCalendar.Parse(json));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Calendar_loads_from_a_stream_and_accepts_24_00()
    {
        using var stream = new MemoryStream("""{"party":"X","timeZone":"UTC","workingHours":{"sunday":[{"start":"20:00","end":"24:00"}]}}"""u8.ToArray());

        var calendar = BusinessCalendar.Load(stream);

        // Sun 2026-11-15 20:00Z + 4h = Mon 00:00Z
        Assert.Equal(At("2026-11-16T00:00Z"), calendar.AddWorkingTime(At("2026-11-15T20:00Z"), Duration.FromHours(4)));
        Assert.Equal(Duration.FromHours(4), calendar.WorkingDayLength);
    }

    /// <summary>A reference walk, one local day at a time, with no week skipping.</summary>
    private static Instant NaiveAdd(BusinessCalendar calendar, Instant start, Duration amount)
    {
        var remaining = amount;
        for (var date = start.InZone(calendar.Zone).Date.PlusDays(-1); ; date = date.PlusDays(1))
        {
            foreach (var interval in calendar.WorkingIntervals(date))
            {
                if (interval.End <= start)
                {
                    continue;
                }
                var from = Instant.Max(interval.Start, start);
                if (remaining <= interval.End - from)
                {
                    return from + remaining;
                }
                remaining -= interval.End - from;
            }
        }
    }
}

using Monitor.Core.Sla;
using NodaTime;
using static Monitor.Tests.Sla.SlaTestData;

namespace Monitor.Tests.Sla;

/// <summary>
/// Calendars do not end in 2026: US federal holidays by rule for any year; CN's published notices for every listed year,
/// and a clock that reaches past CN's last listed year carries a warning instead of silently counting plain weekdays.
/// </summary>
public sealed class CalendarYearsTests
{
    [Theory]
    // Observed on the Friday before (Saturday) and the Monday after (Sunday), New Year's Day across the year end.
    [InlineData("2021-12-31", "New Year's Day")]
    [InlineData("2023-01-02", "New Year's Day")]
    [InlineData("2021-06-18", "Juneteenth National Independence Day")]
    [InlineData("2027-07-05", "Independence Day")]
    [InlineData("2026-07-03", "Independence Day")]
    [InlineData("2027-12-24", "Christmas Day")]
    [InlineData("2028-11-10", "Veterans Day")]
    // The nth and last weekday of a month.
    [InlineData("2027-01-18", "Birthday of Martin Luther King, Jr.")]
    [InlineData("2030-02-18", "Washington's Birthday")]
    [InlineData("2027-05-31", "Memorial Day")]
    [InlineData("2035-09-03", "Labor Day")]
    [InlineData("2027-10-11", "Columbus Day")]
    [InlineData("2027-11-25", "Thanksgiving Day")]
    [InlineData("2100-11-25", "Thanksgiving Day")]
    public void Us_federal_holidays_are_computed_for_any_year(string date, string name)
    {
        var day = LocalDate.FromDateTime(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(name, Us.HolidayOn(day));
        Assert.False(Us.IsWorkingDay(day));
    }

    [Theory]
    [InlineData("2020-06-19")] // before Juneteenth became a federal holiday
    [InlineData("2027-07-02")] // Independence Day 2027 is a Sunday: observed Monday, not Friday
    [InlineData("2026-01-02")]
    public void Us_working_days_next_to_holidays_stay_working_days(string date)
    {
        var day = LocalDate.FromDateTime(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Us.IsWorkingDay(day));
        Assert.Null(Us.HolidayOn(day));
    }

    [Fact]
    public void Us_rules_give_the_2026_list_the_calendar_used_to_ship()
    {
        LocalDate[] listed2026 =
        [
            new(2026, 1, 1), new(2026, 1, 19), new(2026, 2, 16), new(2026, 5, 25), new(2026, 6, 19), new(2026, 7, 3),
            new(2026, 9, 7), new(2026, 10, 12), new(2026, 11, 11), new(2026, 11, 26), new(2026, 12, 25),
        ];
        var computed = Enumerable.Range(0, 365).Select(d => new LocalDate(2026, 1, 1).PlusDays(d)).Where(d => Us.HolidayOn(d) is not null);
        Assert.Equal(listed2026, computed);
        Assert.Null(Us.ListedThrough);
    }

    [Theory]
    // 2024 and 2025 notices: holidays and make-up working days.
    [InlineData("2024-02-12", false)]
    [InlineData("2024-02-04", true)]
    [InlineData("2024-04-07", true)]
    [InlineData("2025-01-28", false)]
    [InlineData("2025-01-26", true)]
    [InlineData("2025-10-08", false)]
    [InlineData("2025-10-11", true)]
    // 2026 notice.
    [InlineData("2026-02-23", false)]
    [InlineData("2026-02-28", true)]
    // 2027: the statutory days (New Year, Spring Festival eve to the third day), known before the notice.
    [InlineData("2027-01-01", false)]
    [InlineData("2027-02-05", false)]
    [InlineData("2027-02-08", false)]
    public void Cn_lists_every_published_year_and_the_statutory_days_of_2027(string date, bool working)
    {
        var day = LocalDate.FromDateTime(DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(working, Cn.IsWorkingDay(day));
    }

    [Fact]
    public void A_cn_deadline_on_new_year_2027_moves_to_the_next_working_day()
    {
        // Thu 2026-12-31 09:00 +08 plus one business day (8h) is Thu 17:00; plus two lands after the holiday, Mon 4 Jan.
        Assert.Equal(At("2027-01-04T17:00+08:00"), Cn.AddWorkingTime(At("2026-12-31T09:00+08:00"), Duration.FromHours(16)));
    }

    [Fact]
    public void A_clock_that_reaches_past_the_last_listed_year_carries_a_warning_everywhere_it_is_explained()
    {
        Assert.Equal(2026, Cn.ListedThrough);
        var late = ClockEngine.Compute(Request("2026-12-30T09:00+08:00"), [], SlaDefaults.Policy, Calendars);
        var early = ClockEngine.Compute(Request("2026-06-01T09:00+08:00"), [], SlaDefaults.Policy, Calendars);

        var warning = late.Response.CalendarWarning;
        Assert.NotNull(warning);
        Assert.StartsWith("calendar CN lists its holidays and make-up working days only through 2026, and this clock reaches 2027-", warning);
        Assert.EndsWith("Add the 2027 holidays to config/calendars/CN.json.", warning);
        Assert.Contains($"Warning: {warning}", late.Response.Explanation);
        Assert.All(early.All, clock => Assert.Null(clock.CalendarWarning));
        Assert.DoesNotContain(early.All.SelectMany(c => c.Explanation), line => line.StartsWith("Warning:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_based_calendar_never_warns()
    {
        var us = ClockEngine.Compute(Request("2030-12-30T09:00-05:00", responder: "US"), [], SlaDefaults.Policy, Calendars);
        Assert.All(us.All, clock => Assert.Null(clock.CalendarWarning));
    }

    [Fact]
    public void A_list_only_calendar_is_listed_through_its_last_date_unless_it_says_otherwise()
    {
        const string Hours = """ "workingHours":{"monday":[{"start":"09:00","end":"17:00"}]} """;
        var derived = BusinessCalendar.Parse($$"""{"party":"X","timeZone":"Europe/Paris",{{Hours}},"holidays":[{"date":"2025-05-01"},{"date":"2028-07-14"}]}""");
        var declared = BusinessCalendar.Parse($$"""{"party":"X","timeZone":"Europe/Paris",{{Hours}},"listedThrough":2030,"holidays":[{"date":"2025-05-01"}]}""");
        var plain = BusinessCalendar.Parse($$"""{"party":"X","timeZone":"Europe/Paris",{{Hours}}}""");

        Assert.Equal(2028, derived.ListedThrough);
        Assert.Equal(2030, declared.ListedThrough);
        Assert.Null(plain.ListedThrough);
        Assert.Null(derived.HorizonWarning(At("2028-12-31T12:00Z")));
        Assert.NotNull(derived.HorizonWarning(At("2029-01-01T12:00Z")));
    }

    [Theory]
    [InlineData("""{"name":"A","month":2,"weekday":"monday"}""", "$.holidayRules[0].week must be 1 to 4, or -1 for the last")]
    [InlineData("""{"name":"A","month":2,"day":30}""", "$.holidayRules[0].day 30 is not a day of month 2")]
    [InlineData("""{"name":"A","month":2}""", "$.holidayRules[0] needs either \"day\"")]
    [InlineData("""{"name":"A","month":13,"day":1}""", "$.holidayRules[0].month must be a whole number from 1 to 12")]
    [InlineData("""{"name":"A","month":1,"day":1,"observed":"uk"}""", "$.holidayRules[0].observed can only be \"us-federal\"")]
    public void Bad_holiday_rules_are_refused_with_their_path(string rule, string expected)
    {
        var error = Assert.Throws<SlaConfigurationException>(() => BusinessCalendar.Parse(
            $$"""{"party":"X","timeZone":"Europe/Paris","workingHours":{"monday":[{"start":"09:00","end":"17:00"}]},"holidayRules":[{{rule}}]}"""));
        Assert.Contains(expected, error.Message);
    }

    private static BusinessCalendar? Calendars(string party) => SlaDefaults.Calendar(party);

    private static SlaRequest Request(string submitted, string responder = "CN") =>
        new("R-1", responder == "CN" ? "US" : "CN", responder, "investigation", "medium", At(submitted), RequestStatus.Open, null);
}

using Monitor.Core.Reporting;
using NodaTime;

namespace Monitor.Tests.Reporting;

public sealed class ReportingUnitTests
{
    [Theory]
    [InlineData("2026-H1", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z")]
    [InlineData("2026-h2", "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2026-Q1", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")]
    [InlineData("2026-Q4", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void Periods_are_half_years_and_quarters_in_UTC(string text, string start, string end)
    {
        Assert.True(ReportPeriod.TryParse(text, out var period, out _));
        Assert.Equal(text.ToUpperInvariant(), period.Name);
        Assert.Equal((start, end), (period.Start.ToString(), period.End.ToString()));
    }

    [Theory]
    [InlineData("2026-H3", "a half-year is H1 or H2")]
    [InlineData("2026-Q5", "is not a period")]
    [InlineData("2026", "is not a period")]
    [InlineData("26-H1", "is not a period")]
    [InlineData("1999-H1", "between 2000 and 2100")]
    [InlineData("' or true or '", "is not a period")]
    [InlineData(null, "is not a period")]
    public void A_bad_period_is_refused_with_a_reason(string? text, string reason)
    {
        Assert.False(ReportPeriod.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_half_year_has_six_months()
    {
        Assert.Equal(["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"], ReportPeriod.Parse("2026-H2").Months.Select(m => m.Month));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("", "")]
    public void Csv_text_cells_that_a_spreadsheet_would_run_are_neutralised(string value, string cell)
    {
        Assert.Equal(cell, CsvText.Cell(value));
    }

    [Fact]
    public void Csv_numbers_are_invariant_and_not_prefixed()
    {
        Assert.Equal("0.5", CsvText.Cell(0.5));
        Assert.Equal("76.67", CsvText.Cell(76.67));
        Assert.Equal("3", CsvText.Cell(3));
        Assert.Equal("", CsvText.Cell(null));
        Assert.Equal("2026-07-01T00:00:00Z", CsvText.Cell(new DateTimeOffset(2026, 7, 1, 8, 0, 0, TimeSpan.FromHours(8))));
    }

    [Theory]
    [InlineData(new double[] { 20, 50, 65 }, 50, 65)]
    [InlineData(new double[] { 31, 49 }, 40, 49)]
    [InlineData(new double[] { 7 }, 7, 7)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5.5, 9)]
    [InlineData(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 6, 10)]
    public void Median_and_nearest_rank_90th_percentile(double[] sorted, double median, double p90)
    {
        Assert.Equal(median, PeriodMetrics.Median(sorted));
        Assert.Equal(p90, PeriodMetrics.NearestRank(sorted, 0.9));
    }

    [Fact]
    public void No_values_give_no_median()
    {
        Assert.Null(PeriodMetrics.Median([]));
        Assert.Null(PeriodMetrics.NearestRank([], 0.9));
    }
}

public sealed class ReviewPackChartTests
{
    [Fact]
    public void Response_times_fall_into_buckets_around_the_target()
    {
        // Exactly on target (1.0) is inside 75–100%; 1.225 (49 h of 40) is 100–150%; 3.0 is >200%.
        Assert.Equal([1, 0, 2, 1, 0, 1], ReviewPackCharts.BucketCounts([0.5, 1.0, 0.775, 1.225, 3.0]));
    }

    [Fact]
    public void Each_chart_is_inline_svg_with_its_own_clip_ids()
    {
        var report = new ReviewReport("2026-H2", DateTimeOffset.Parse("2026-07-01T00:00:00Z"), DateTimeOffset.Parse("2027-01-01T00:00:00Z"), DateTimeOffset.Parse("2027-01-15T00:00:00Z"),
            [], [], [], [new MonthlyOnTime("2026-07", "CN", 2, 1, 0.5, 0)], [new TrendPoint(DateTimeOffset.Parse("2026-07-08T00:00:00Z"), "CN", 1, 1)], [], []);
        var html = ReviewPackHtml.Render(report);
        Assert.DoesNotContain("<?xml", html);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(html, "<svg "));
        Assert.Contains("id=\"chart-on-time-clip1\"", html);
        Assert.Contains("id=\"chart-overdue-trend-clip1\"", html);
        Assert.DoesNotContain("id=\"clipPath", html);
    }
}

using Monitor.Core.Config;
using Monitor.Core.Indicators;

namespace Monitor.Tests.Config;

public class SourceFormatTests
{
    [Fact]
    public void The_urlhaus_and_feodo_examples_of_the_readme_parse()
    {
        var map = SourceMap.Parse("""
            {"parties": ["US", "CN"], "sources": {
              "urlhaus": {"format": {"columns": {"id": "id", "time": "dateadded", "indicators": [{"column": "url", "type": "url"}], "summary": "threat"}}},
              "feodo": {"party": "US", "format": {"timeZone": "UTC", "columns": {"time": "first_seen_utc", "indicators": [{"column": "dst_ip", "type": "ip"}], "summary": "malware"}}},
              "daily-list": {"format": {"header": false, "timeZone": "Asia/Shanghai", "timeFormat": "yyyy-MM-dd HH:mm:ss", "commentPrefix": "//", "columns": {"time": 1, "indicators": [4]}}}}}
            """);

        var urlhaus = map.SettingsOf("urlhaus")!.Format!;
        Assert.Equal(new ColumnRef("dateadded", 0), urlhaus.Time);
        Assert.Equal([new IndicatorColumn(new ColumnRef("url", 0), IndicatorType.Url)], urlhaus.Indicators);
        Assert.Equal(new ColumnRef("threat", 0), urlhaus.Summary);
        Assert.Equal("US", map.SettingsOf("feodo")!.Party);
        Assert.Equal([new IndicatorColumn(new ColumnRef("dst_ip", 0), IndicatorType.Ip)], map.SettingsOf("feodo")!.Format!.Indicators);
        var daily = map.SettingsOf("daily-list")!.Format!;
        Assert.False(daily.Header);
        Assert.Equal("Asia/Shanghai", daily.TimeZone.Id);
        Assert.Equal("yyyy-MM-dd HH:mm:ss", daily.TimeFormat);
        Assert.Equal("//", daily.CommentPrefix);
        Assert.Equal(new ColumnRef(null, 1), daily.Time);
        Assert.Equal([new IndicatorColumn(new ColumnRef(null, 4), null)], daily.Indicators);
    }

    [Theory]
    [InlineData("""{"format": 3}""", "source 'x': format must be an object")]
    [InlineData("""{"format": {"timeZone": "Mars/Olympus"}}""", "source 'x': format.timeZone 'Mars/Olympus' is not an IANA time zone")]
    [InlineData("""{"format": {"header": "no"}}""", "source 'x': format.header must be true or false")]
    [InlineData("""{"format": {"delimiter": ";"}}""", "source 'x': format.delimiter is not a format field")]
    [InlineData("""{"format": {"columns": {"colour": "c"}}}""", "source 'x': format.columns.colour is not a column role")]
    [InlineData("""{"format": {"columns": {"time": 0}}}""", "source 'x': format.columns.time must be a column name or a column number from 1")]
    [InlineData("""{"format": {"columns": {"indicators": [{"column": "v", "type": "mutex"}]}}}""", "source 'x': format.columns.indicators[0].type 'mutex' is not an indicator type")]
    [InlineData("""{"format": {"columns": {"indicators": [{"type": "ip"}]}}}""", "source 'x': format.columns.indicators[0] has no \"column\"")]
    public void A_bad_format_names_the_source_and_the_field(string source, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SourceMap.Parse("{\"sources\": {\"x\": " + source + "}}"));
        Assert.StartsWith(expected, error.Message);
    }
}

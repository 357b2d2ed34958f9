using Monitor.Core.Config;
using Monitor.Core.Pull;

namespace Monitor.Tests.Pull;

public class PullSettingsTests
{
    [Fact]
    public void A_pull_block_is_read_with_the_default_schedule_and_a_source_may_have_no_party()
    {
        var map = SourceMap.Parse("""
            {"sources": {
              "partner": {"party": "US", "pull": {"kind": "taxii2.1", "url": "https://taxii.example/api1/collections/c1", "username": "reader", "passwordSetting": "PARTNER_TAXII_PASSWORD"}},
              "tweetfeed": {"pull": {"kind": "misp-feed", "url": "https://feeds.example/misp", "schedule": "0 0 * * * *"}},
              "urlhaus": {"pull": {"kind": "http", "url": "https://feeds.example/csv_online.csv", "tokenSetting": "URLHAUS_TOKEN", "schedule": "*/5 * * * *"}},
              "liaison-cn": "CN"}}
            """);
        var partner = map.SettingsOf("partner")!.Pull!;
        Assert.Equal((PullKind.Taxii21, PullSettings.DefaultSchedule, "reader", "PARTNER_TAXII_PASSWORD"), (partner.Kind, partner.Schedule, partner.Username, partner.PasswordSetting));
        var tweetfeed = map.SettingsOf("tweetfeed")!;
        Assert.Null(tweetfeed.Party);
        Assert.Equal("https://feeds.example/misp/", tweetfeed.Pull!.Url.ToString());
        Assert.Equal("URLHAUS_TOKEN", map.SettingsOf("urlhaus")!.Pull!.TokenSetting);
        Assert.Null(map.SettingsOf("liaison-cn")!.Pull);
    }

    [Theory]
    [InlineData("""{"url": "https://x.example/"}""", "source 'feed': pull.kind is missing")]
    [InlineData("""{"kind": "taxii2.0", "url": "https://x.example/"}""", "source 'feed': pull.kind 'taxii2.0' is not one of")]
    [InlineData("""{"kind": "http"}""", "source 'feed': pull.url is missing")]
    [InlineData("""{"kind": "http", "url": "ftp://x.example/f.csv"}""", "source 'feed': pull.url 'ftp://x.example/f.csv' must be an absolute https://")]
    [InlineData("""{"kind": "http", "url": "https://user:pw@x.example/f.csv"}""", "without credentials in it")]
    [InlineData("""{"kind": "http", "url": "https://x.example/f.csv", "schedule": "every hour"}""", "source 'feed': pull.schedule 'every hour' is not an NCRONTAB expression")]
    [InlineData("""{"kind": "http", "url": "https://x.example/f.csv", "password": "hunter2"}""", "source 'feed': unknown field pull.password")]
    [InlineData("""{"kind": "http", "url": "https://x.example/f.csv", "username": "u"}""", "source 'feed': pull.passwordSetting is missing")]
    [InlineData("""{"kind": "http", "url": "https://x.example/f.csv", "tokenSetting": "T", "username": "u", "passwordSetting": "P"}""", "cannot be combined")]
    [InlineData("""{"kind": "http", "url": "https://x.example/f.csv", "passwordSetting": "p@ss w0rd!"}""", "pull.passwordSetting must name an app setting")]
    [InlineData("""{"kind": "http", "url": 5}""", "source 'feed': pull.url must be a non-empty string")]
    [InlineData("\"https://x.example/\"", "source 'feed': pull must be an object")]
    public void A_bad_pull_block_names_the_source_and_the_field(string block, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SourceMap.Parse("""{"sources": {"feed": {"pull": """ + block + "}}}"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_pulled_source_name_must_make_a_drop_zone_folder()
    {
        var error = Assert.Throws<FormatException>(() => SourceMap.Parse("""{"sources": {"a/b": {"pull": {"kind": "http", "url": "https://x.example/"}}}}"""));
        Assert.Contains("source 'a/b': a pulled source's name is its drop-zone folder", error.Message);
    }

    [Fact]
    public void A_source_is_due_when_its_schedule_had_an_occurrence_since_its_last_pull()
    {
        var hourly = SourceMap.Parse("""{"sources": {"f": {"pull": {"kind": "http", "url": "https://x.example/", "schedule": "0 0 * * * *"}}}}""").SettingsOf("f")!.Pull!;
        var at = new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.Zero);
        Assert.True(FeedPuller.IsDue(hourly, null, at));
        Assert.False(FeedPuller.IsDue(hourly, at.AddMinutes(-20), at));
        Assert.True(FeedPuller.IsDue(hourly, at.AddMinutes(-31), at));
        Assert.True(FeedPuller.IsDue(hourly, at.AddDays(-3), at));
    }
}

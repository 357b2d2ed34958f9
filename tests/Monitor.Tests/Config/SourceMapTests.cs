using Monitor.Core.Config;

namespace Monitor.Tests.Config;

public class SourceMapTests
{
    [Fact]
    public void Short_and_object_forms_map_sources_to_parties()
    {
        var map = SourceMap.Parse("""
            {"parties": ["US", "CN"], "sources": {"liaison-cn": "cn", "partner": {"party": "US"}, "tweetfeed": {}}}
            """);

        Assert.Equal("CN", map.PartyOf(null, "liaison-cn"));
        Assert.Equal("US", map.PartyOf(null, "partner"));
        Assert.Null(map.PartyOf(null, "tweetfeed"));
        Assert.Equal("US", map.PartyOf("partner", "tweetfeed"));
        Assert.Equal(["liaison-cn", "partner", "tweetfeed"], map.Sources.Select(s => s.Name));
        Assert.NotNull(map.SettingsOf("TweetFeed"));
    }

    [Theory]
    [InlineData("""{"sources": {"x": 3}}""", "source 'x' must map to a party code or to an object")]
    [InlineData("""{"sources": {"x": {"party": 3}}}""", "source 'x': party must be a party code")]
    [InlineData("""{"sources": {"x": {"party": "CN", "colour": "red"}}}""", "source 'x': unknown field 'colour'")]
    public void A_bad_entry_names_the_source_and_the_field(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SourceMap.Parse(json));
        Assert.Contains(expected, error.Message);
    }
}

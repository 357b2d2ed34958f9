namespace Monitor.Core.Reporting.OData;

/// <summary>A request the feed cannot answer as asked: 400, naming the query option (or "path") and the reason.</summary>
public sealed class ODataQueryException(string option, string reason) : Exception($"{option}: {reason}")
{
    public string Option { get; } = option;
}

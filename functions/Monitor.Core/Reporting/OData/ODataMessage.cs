using Microsoft.OData;

namespace Monitor.Core.Reporting.OData;

/// <summary>A response message in memory, for <see cref="ODataMessageWriter"/>: the feed's pages are bounded.</summary>
internal sealed class ODataMessage(int status) : IODataResponseMessageAsync
{
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    public MemoryStream Body { get; } = new();

    public IEnumerable<KeyValuePair<string, string>> Headers => _headers;

    public int StatusCode { get; set; } = status;

    public string? GetHeader(string headerName) => _headers.GetValueOrDefault(headerName);

    public void SetHeader(string headerName, string headerValue) => _headers[headerName] = headerValue;

    public Stream GetStream() => Body;

    public Task<Stream> GetStreamAsync() => Task.FromResult<Stream>(Body);

    /// <summary>The written message as the API's answer, with the OData headers.</summary>
    public ApiResponse ToResponse(params (string Name, string Value)[] extra)
    {
        var contentType = GetHeader("Content-Type") ?? ApiResponse.JsonType;
        var headers = new List<(string, string)> { ("OData-Version", "4.0") };
        headers.AddRange(extra);
        return new ApiResponse(StatusCode, contentType, System.Text.Encoding.UTF8.GetString(Body.GetBuffer(), 0, (int)Body.Length), headers);
    }
}

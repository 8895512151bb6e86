using System.Text.Json;
using Berth.Core.Distribution;

namespace Berth.Registry.Distribution;

/// <summary>Writes the OCI error body <c>{"errors":[{"code","message","detail"}]}</c>; the one place /v2 errors are written.</summary>
public static class OciErrorWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // Messages quote names ('x') and media types (+json); clients read JSON, not HTML, so keep them readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Task WriteAsync(HttpContext context, OciErrorCode error, string? message = null, object? detail = null)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }

        var body = new ErrorBody([new ErrorEntry(error.Code, message ?? error.Message, detail)]);
        return JsonSerializer.SerializeAsync(response.Body, body, JsonOptions, context.RequestAborted);
    }

    public static Task WriteAsync(HttpContext context, OciException exception) =>
        WriteAsync(context, exception.Error, exception.Message, exception.Detail);

    internal sealed record ErrorBody(IReadOnlyList<ErrorEntry> Errors);

    internal sealed record ErrorEntry(string Code, string Message, object? Detail);
}

namespace Berth.Core.Distribution;

/// <summary>An OCI error raised anywhere below a /v2 handler and written once by the error writer.</summary>
public sealed class OciException : Exception
{
    public OciException(OciErrorCode error, string? message = null, object? detail = null)
        : base(message ?? error.Message)
    {
        Error = error;
        Detail = detail;
    }

    public OciErrorCode Error { get; }

    public object? Detail { get; }
}

namespace Berth.Core.Metadata;

/// <summary>A page cursor that no page of this list produced (garbled, forged, or of another sort key): a client error.</summary>
public sealed class InvalidCursorException(string message) : Exception(message);

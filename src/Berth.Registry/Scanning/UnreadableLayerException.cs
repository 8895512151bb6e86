namespace Berth.Registry.Scanning;

/// <summary>A layer the scanner cannot read; the message is the scan's failure reason.</summary>
internal sealed class UnreadableLayerException(string message) : Exception(message);

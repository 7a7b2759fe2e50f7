package org.conceptsliders.fiji;

import java.util.List;

/**
 * One input of a command: its macro key (the SciJava {@code @Parameter} field name: lower-case
 * words joined by '_', frozen once released), the label a dialog shows, and the default that a
 * macro gets when it leaves the key out.
 */
public record Field(String key, String label, Kind kind, String dflt, List<String> choices) {

    public enum Kind { TEXT, NUMBER, FLAG, CHOICE, IMAGE }

    public Field {
        if (!key.matches("[a-z]+(_[a-z]+)*")) {
            throw new IllegalArgumentException("macro key '" + key + "' must be lower-case words joined by '_'");
        }
        choices = List.copyOf(choices);
    }

    public static Field text(String key, String label, String dflt) {
        return new Field(key, label, Kind.TEXT, dflt, List.of());
    }

    public static Field number(String key, String label, String dflt) {
        return new Field(key, label, Kind.NUMBER, dflt, List.of());
    }

    public static Field flag(String key, String label, boolean dflt) {
        return new Field(key, label, Kind.FLAG, Boolean.toString(dflt), List.of());
    }

    public static Field choice(String key, String label, String... choices) {
        return new Field(key, label, Kind.CHOICE, choices[0], List.of(choices));
    }

    /** The title of an open image; empty (the default) is the current image. */
    public static Field image(String key, String label) {
        return new Field(key, label, Kind.IMAGE, "", List.of());
    }
}

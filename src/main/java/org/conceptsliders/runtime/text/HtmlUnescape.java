package org.conceptsliders.runtime.text;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which CLIP's tokenizer applies (twice) to every prompt.
 *
 * <p>Numeric references follow Python exactly: Windows-1252 remapping of 0x80-0x9F, U+FFFD for
 * 0, surrogates and values above U+10FFFF, and removal of the code points HTML forbids.
 * Named references cover the HTML 4 set a prompt plausibly contains: every entity Python also
 * accepts without a semicolon (the Latin-1 names and {@code amp lt gt quot}, with Python's
 * longest-prefix rule) plus the common punctuation and typography names. The rest of the
 * 2231-name HTML5 table is not included: such a reference stays as written, where Python
 * would replace it.
 */
final class HtmlUnescape {
    private HtmlUnescape() {
    }

    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** Names of U+00A0..U+00FF, in code point order. */
    private static final String[] LATIN1 = ("nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo"
            + " not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14"
            + " frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc"
            + " Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave"
            + " Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave"
            + " eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide"
            + " oslash ugrave uacute ucirc uuml yacute thorn yuml").split(" ");

    /** Entities recognised only with their semicolon (name, code point). */
    private static final Object[] SEMICOLON_ONLY = {
            "apos", 0x27, "OElig", 0x152, "oelig", 0x153, "Scaron", 0x160, "scaron", 0x161, "Yuml", 0x178,
            "fnof", 0x192, "circ", 0x2C6, "tilde", 0x2DC, "ensp", 0x2002, "emsp", 0x2003, "thinsp", 0x2009,
            "zwnj", 0x200C, "zwj", 0x200D, "lrm", 0x200E, "rlm", 0x200F, "ndash", 0x2013, "mdash", 0x2014,
            "lsquo", 0x2018, "rsquo", 0x2019, "sbquo", 0x201A, "ldquo", 0x201C, "rdquo", 0x201D,
            "bdquo", 0x201E, "dagger", 0x2020, "Dagger", 0x2021, "bull", 0x2022, "hellip", 0x2026,
            "permil", 0x2030, "prime", 0x2032, "Prime", 0x2033, "lsaquo", 0x2039, "rsaquo", 0x203A,
            "euro", 0x20AC, "trade", 0x2122, "larr", 0x2190, "uarr", 0x2191, "rarr", 0x2192,
            "darr", 0x2193, "harr", 0x2194, "hearts", 0x2665,
    };

    /** Keys as in Python's html5 table: "amp;" needs the semicolon, "amp" is the legacy form. */
    private static final Map<String, String> NAMED = new HashMap<>();

    static {
        for (int i = 0; i < LATIN1.length; i++) {
            legacy(LATIN1[i], 0xA0 + i);
        }
        legacy("amp", '&');
        legacy("AMP", '&');
        legacy("lt", '<');
        legacy("LT", '<');
        legacy("gt", '>');
        legacy("GT", '>');
        legacy("quot", '"');
        legacy("QUOT", '"');
        legacy("COPY", 0xA9);
        legacy("REG", 0xAE);
        for (int i = 0; i < SEMICOLON_ONLY.length; i += 2) {
            NAMED.put(SEMICOLON_ONLY[i] + ";", Character.toString((Integer) SEMICOLON_ONLY[i + 1]));
        }
    }

    private static void legacy(String name, int codePoint) {
        String c = Character.toString(codePoint);
        NAMED.put(name, c);
        NAMED.put(name + ";", c);
    }

    /** Windows-1252 meaning of the C1 references 0x80-0x9F, as browsers (and Python) read them. */
    private static final String CP1252 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
            + "\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122"
            + "\u0161\u203a\u0153\u009d\u017e\u0178";

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1).replace(";", "").replaceFirst("^0+(?=.)", "");
            // Anything longer than 8 digits is above U+10FFFF in either base.
            int num = digits.length() > 8 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE,
                    Long.parseLong(digits, hex ? 16 : 10));
            return numeric(num);
        }
        String named = NAMED.get(ref);
        if (named != null) {
            return named;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static String numeric(int num) {
        if (num == 0) {
            return "\ufffd";
        }
        if (num == 0x0D) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9F) {
            return String.valueOf(CP1252.charAt(num - 0x80));
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\ufffd";
        }
        boolean forbidden = (num >= 0x01 && num <= 0x08) || num == 0x0B || (num >= 0x0E && num <= 0x1F)
                || num == 0x7F || (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE;
        return forbidden ? "" : Character.toString(num);
    }
}

package io.cfworkers.operator.argocd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;

/**
 * Argo CD's Lua sandbox for resource customizations (health checks, action discovery, actions), as
 * Argo CD builds it for scripts from argocd-cm: the base, package and table libraries, and a "safe"
 * {@code os} holding only {@code time} and {@code date}, reachable through {@code require("os")} as
 * Argo CD's built-in actions use it (a global {@code os} is not guaranteed, so none is set). No
 * {@code string}, {@code math}, {@code io}: a script using them fails here as it would in Argo CD.
 * The resource is the global {@code obj}; numbers arrive as Lua numbers (doubles), as Argo CD
 * decodes the resource's JSON.
 */
final class ArgoCdLua {
  private ArgoCdLua() {}

  /**
   * Runs {@code script} with {@code resource} as {@code obj}; the clock answers os.time/os.date.
   */
  static LuaValue run(Path script, Object resource, Clock clock) throws IOException {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    LoadState.install(globals);
    LuaC.install(globals);
    LuaTable os = safeOs(clock);
    globals
        .get("package")
        .get("preload")
        .set(
            "os",
            new OneArgFunction() {
              @Override
              public LuaValue call(LuaValue name) {
                return os;
              }
            });
    globals.set("obj", toLua(resource));
    return globals.load(Files.readString(script), script.getFileName().toString()).call();
  }

  /**
   * Argo CD's os.time and os.date (util/lua/oslib_safe.go): {@code time()} is the current Unix
   * time; {@code date(format)} formats now in the local zone, or in UTC when the format starts with
   * "!", for the strftime flags Argo CD maps (an unknown flag is copied as is).
   */
  private static LuaTable safeOs(Clock clock) {
    LuaTable os = new LuaTable();
    os.set(
        "time",
        new ZeroArgFunction() {
          @Override
          public LuaValue call() {
            return LuaValue.valueOf((double) clock.instant().getEpochSecond());
          }
        });
    os.set(
        "date",
        new VarArgFunction() {
          @Override
          public Varargs invoke(Varargs args) {
            String format = args.narg() >= 1 ? args.checkjstring(1) : "%c";
            ZoneId zone = clock.getZone();
            if (format.startsWith("!")) {
              zone = ZoneOffset.UTC;
              format = format.substring(1);
            }
            Instant at =
                args.narg() >= 2 ? Instant.ofEpochSecond(args.checklong(2)) : clock.instant();
            return LuaValue.valueOf(strftime(ZonedDateTime.ofInstant(at, zone), format));
          }
        });
    return os;
  }

  private static final Map<Character, String> FLAGS =
      Map.ofEntries(
          Map.entry('b', "MMM"),
          Map.entry('B', "MMMM"),
          Map.entry('c', "dd MMM yy HH:mm zzz"),
          Map.entry('d', "dd"),
          Map.entry('F', "yyyy-MM-dd"),
          Map.entry('H', "HH"),
          Map.entry('I', "hh"),
          Map.entry('m', "MM"),
          Map.entry('M', "mm"),
          Map.entry('p', "a"),
          Map.entry('S', "ss"),
          Map.entry('X', "HH:mm:ss"),
          Map.entry('y', "yy"),
          Map.entry('Y', "yyyy"),
          Map.entry('z', "xx"),
          Map.entry('Z', "zzz"));

  private static String strftime(ZonedDateTime time, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i == format.length() - 1) {
        out.append(c);
        continue;
      }
      char flag = format.charAt(++i);
      String pattern = FLAGS.get(flag);
      if (flag == '%') {
        out.append('%');
      } else if (pattern != null) {
        out.append(DateTimeFormatter.ofPattern(pattern, Locale.ROOT).format(time));
      } else {
        out.append('%').append(flag);
      }
    }
    return out.toString();
  }

  /** Converts parsed YAML the way Argo CD converts the resource's JSON: numbers are doubles. */
  static LuaValue toLua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    } else if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(k.toString(), toLua(v)));
      return table;
    } else if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        table.set(i + 1, toLua(list.get(i)));
      }
      return table;
    } else if (value instanceof Number number) {
      return LuaValue.valueOf(number.doubleValue());
    } else if (value instanceof Boolean bool) {
      return LuaValue.valueOf(bool);
    }
    return LuaValue.valueOf(value.toString());
  }

  /**
   * Converts what a script returns back to JSON-like Java values, as Argo CD does before it patches
   * the resource: a table with keys 1..n is a list, other tables are maps, whole numbers are longs.
   * An empty table is ambiguous in Lua; like Argo CD, it becomes an empty map where the original
   * resource held a map there, else an empty list.
   */
  static Object fromLua(LuaValue value, Object original) {
    if (value.isnil()) {
      return null;
    } else if (value.istable()) {
      LuaTable table = value.checktable();
      int length = table.length();
      if (length == 0 && table.next(LuaValue.NIL).arg1().isnil()) {
        return original instanceof Map<?, ?> ? new LinkedHashMap<>() : new ArrayList<>();
      }
      if (length > 0 && table.keyCount() == length) {
        List<Object> list = new ArrayList<>();
        for (int i = 1; i <= length; i++) {
          Object was =
              original instanceof List<?> l && l.size() >= i ? l.get(i - 1) : (Object) null;
          list.add(fromLua(table.get(i), was));
        }
        return list;
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (LuaValue key : table.keys()) {
        Object was = original instanceof Map<?, ?> m ? m.get(key.tojstring()) : null;
        map.put(key.tojstring(), fromLua(table.get(key), was));
      }
      return map;
    } else if (value.isboolean()) {
      return value.toboolean();
    } else if (value.type() == LuaValue.TNUMBER) {
      double d = value.todouble();
      return d == Math.rint(d) ? (Object) (long) d : (Object) d;
    }
    return value.tojstring();
  }

  /** A clock that always says {@code utc}, in the zone {@code zone} (the server's local zone). */
  static Clock fixedClock(String utc, String zone) {
    return Clock.fixed(Instant.parse(utc), ZoneId.of(zone));
  }
}

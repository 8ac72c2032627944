package dev.stagebuild.reconciler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The uids of objects whose delete the API server has answered lately: accepted, gone already, or
 * refused for good. A pass works from informer caches, which can still hold an object a moment after
 * an earlier pass deleted it; without this, that pass would send the same delete again, to be
 * answered 404 (or to do nothing to an object already being deleted), and a refused delete would be
 * asked for, and warned of, by every pass. A uid names one object for its whole life, so a delete
 * once answered never needs sending again. Bounded: the oldest uids are forgotten first, and
 * forgetting one costs at most that repeated request.
 */
final class RecentDeletes {
  static final int MAX_TRACKED = 10_000;

  private final Map<String, Boolean> uids = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_TRACKED;
    }
  };

  synchronized boolean answered(String uid) {
    return uid != null && uids.containsKey(uid);
  }

  synchronized void add(String uid) {
    if (uid != null) {
      uids.put(uid, Boolean.TRUE);
    }
  }

  synchronized int size() {
    return uids.size();
  }
}

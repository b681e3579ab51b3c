-- An interest's effective confidence, for ordering and filtering in SQL: the stored
-- confidence halved for every half-life since the UTC day it was last reinforced,
-- counted in whole days (graph_api.graph.strength.interest_confidence computes the
-- same in Python). A per-day clock: two reads on one day agree exactly, so the
-- compiled and the generic plan order (and answer) alike. The half-life comes from
-- the session (`graph_api.interest_half_life_days`, set by the app's pool from
-- GRAPH_API_INTEREST_HALF_LIFE_DAYS), 365 days when unset.
create function interest_effective_confidence(confidence double precision,
                                              last_reinforced_at timestamptz)
returns double precision
language sql stable parallel safe
as $$
    select confidence * power(0.5::double precision,
        greatest(0, (now() at time zone 'utc')::date - (last_reinforced_at at time zone 'utc')::date)::double precision
        / coalesce(nullif(current_setting('graph_api.interest_half_life_days', true), '')::double precision, 365))
$$;


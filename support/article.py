"""The article's irrigation case as the API receives it: a grid member of Yakinson Village reports that three
households cannot irrigate their 72 mu, the receiving station accepts it, the grid member evaluates it. The
request bodies the e2e tests and bench/round_trips.py send."""
GRID = "BZ.RQ.TGLK.YKS.G01"
REPORT = {"kind": "demand", "category": "irrigation", "title": "72 mu without irrigation",
          "description": "the channel never reached the plots", "grid": GRID,
          "location": {"lat": 40.6035, "lon": 87.6865, "address": "Yakinson Village"},
          "residents": [{"name": "王某", "phone": "13900000007"}]}
ACCEPT = {"kind": "demand", "category": "irrigation", "urgency": "normal", "public_summary": "irrigation missing"}
SCORES = {"response_speed": 5, "performance": 5, "completion": 4, "feedback": 5}
